/**
 * The one endpoint clients are given: it authenticates every request (SigV4), evaluates the
 * production policy documents, and executes what they allow: S3 on the in-process engine,
 * DynamoDB and user pools on their emulators. It also serves
 * the identity-pool API, the mailbox and the running instance's configuration.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { PolicyDocument } from '@whimsy/infra/policies'
import type { WhimsyConfig } from '@whimsy/sdk/config'
import { type AdminKey, type AuthFailure, type Identified, identify, type Principal, verify } from './authenticate.js'
import { sendJsonError, sendS3Error } from './aws-errors.js'
import { type CognitoProxyContext, handleCognito } from './cognito-proxy.js'
import { applyCors } from './cors.js'
import type { CredentialMint } from './credentials.js'
import type { TableLookup } from './dynamodb-actions.js'
import { type DynamoDbProxyContext, handleDynamoDb } from './dynamodb-proxy.js'
import { type AuthorizationRequest, type Caller, evaluate } from './iam/evaluate.js'
import type { IdentityPool } from './identity-pool.js'
import { classifyTarget, createLocalRoutes, type HealthReport, refusePath } from './local-routes.js'
import type { Mailbox } from './mailbox.js'
import { readHeaders } from './request-headers.js'
import type { S3Engine } from './s3/engine/types.js'
import { handleS3 } from './s3/http/front.js'
import { isSdkTarget, type SdkFiles } from './sdk-files.js'
import { type IncomingRequest, sha256Hex, type VerifiedSignature } from './sigv4.js'

export interface GatewayOptions {
  config: WhimsyConfig
  accountId: string
  upstreams: { dynamodb: string; cognito: string }
  /** Headers every call to an emulator carries (issue 11, finding 10: its per-start secret). */
  emulatorHeaders?: { dynamodb?: Record<string, string>; cognito?: Record<string, string> }
  /** The in-process S3 engine the S3 front executes on. */
  engine: S3Engine
  mint: CredentialMint
  admin: AdminKey
  identityPool: IdentityPool
  mailbox: Mailbox
  /** The authenticated role's identity policy and the bucket policy, from infra. */
  policies: { authenticatedRole: PolicyDocument; bucket: PolicyDocument }
  tables: TableLookup
  cognitoOverrides?: CognitoProxyContext['overrides']
  /** What `/_whimsy/health` reports. */
  health: () => HealthReport
  /** The handle registry's claim API at `/_whimsy/handles/…`; it answers CORS itself (app origin only). */
  handles?: (req: IncomingMessage, res: ServerResponse) => Promise<void>
  /** The SDK's browser build at `/sdk/<version>/…`, for any origin. */
  sdkFiles?: SdkFiles
  /** Every write DynamoDB accepted (the change feed's stand-in for a DynamoDB Stream). */
  onDynamoDbWritten?: DynamoDbProxyContext['onWritten']
}

/** Decides a principal's authorizations as IAM would: the identity policy, and the bucket policy for S3. */
export function createAuthorizer(options: Pick<GatewayOptions, 'config' | 'accountId' | 'policies'>) {
  const { config, accountId } = options
  return (principal: Principal, requests: AuthorizationRequest[]): boolean => {
    if (principal.kind === 'admin') return true
    const caller: Caller =
      principal.kind === 'user'
        ? {
            variables: {
              'cognito-identity.amazonaws.com:sub': principal.identityId,
              'cognito-identity.amazonaws.com:aud': config.identityPoolId,
            },
            principalArn: `arn:aws:sts::${accountId}:assumed-role/whimsy-authenticated/CognitoIdentityCredentials`,
          }
        : { variables: {} }
    const identity = principal.kind === 'user' ? [options.policies.authenticatedRole] : []
    return requests.every((r) => {
      const resourcePolicies = r.action.startsWith('s3:') ? [options.policies.bucket] : []
      return evaluate(r, caller, identity, resourcePolicies) === 'Allow'
    })
  }
}

/** DynamoDB's own request limit. */
const DYNAMODB_MAX_BODY = 16 * 1024 * 1024
/** User-pool requests are a few attributes and tokens. */
const COGNITO_MAX_BODY = 256 * 1024
/** GetId / GetCredentialsForIdentity carry one ID token. */
const IDENTITY_POOL_MAX_BODY = 64 * 1024
/** How much of a refused JSON body is read and discarded so the refusal arrives. */
const DRAIN_MAX = 64 * 1024 * 1024

export function createGatewayHandler(options: GatewayOptions): RequestListener {
  const { config, accountId } = options
  const serveLocal = createLocalRoutes({ config, mailbox: options.mailbox, health: options.health, handles: options.handles })

  const authorize = createAuthorizer(options)

  const tableArnFor = (name: string) => `arn:aws:dynamodb:${config.region}:${accountId}:table/${name}`

  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('[gateway]', err)
      if (!res.headersSent) sendJsonError(res, 'InternalFailure', 'The local cloud hit an internal error; see its terminal.', 500)
      else res.destroy()
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // `/_whimsy/…` is decided on one reading of the path; see local-routes.ts.
    const where = classifyTarget(req.url)
    if (where.kind === 'refused') return refusePath(res, where.reason)
    if (where.kind === 'local') {
      // Local routes (the claim API among them) check their own callers and read small bodies
      // at once, so a client waiting for 100 Continue gets it here (see checkContinue).
      if ((req.headers.expect ?? '').toLowerCase() === '100-continue') res.writeContinue()
      return serveLocal(req, res, where)
    }
    if (options.sdkFiles && isSdkTarget(req.url) && !req.headers['x-amz-target']) return options.sdkFiles.serve(req, res)
    applyCors(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204)
      res.end()
      return
    }

    const target = String(req.headers['x-amz-target'] ?? '')
    const isS3 = target === ''
    const rawUrl = req.url ?? '/'
    const q = rawUrl.indexOf('?')
    const { headers, latin1Headers } = readHeaders(req)
    const base = {
      method: req.method ?? 'GET',
      rawPath: q < 0 ? rawUrl : rawUrl.slice(0, q),
      rawQuery: q < 0 ? '' : rawUrl.slice(q + 1),
      headers,
    }

    if (target.startsWith('AWSCognitoIdentityService.')) {
      // Unsigned, as on AWS: the ID token in the body is the proof.
      const body = await readCappedBody(req, res, IDENTITY_POOL_MAX_BODY)
      if (body === undefined) return sendJsonError(res, 'RequestEntityTooLarge', 'Request body too large', 413)
      const parsed = parseJsonObject(body)
      if (!parsed) return sendJsonError(res, 'SerializationException', 'The request body must be a JSON object')
      const answer = await options.identityPool.handle(target.split('.')[1] ?? '', parsed)
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify(answer.body))
      return
    }

    // Headers only: an unknown key or a malformed signature is refused before any body is read.
    const who = identify(base, options.mint, options.admin)
    if (!who.ok) return sendAuthFailure(res, isS3, who, base.rawPath)

    if (isS3) {
      let payloadHash = 'UNSIGNED-PAYLOAD'
      if (who.info && who.info.expiresIn === undefined) {
        const declared = headers['x-amz-content-sha256']
        if (declared === undefined) {
          req.resume()
          return sendS3Error(res, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', base.rawPath)
        }
        payloadHash = declared
      }
      // The signature covers the payload hash, not the body: the body streams into the engine,
      // which checks it against that hash while writing.
      const checked = verifyEither(base, latin1Headers, who, payloadHash)
      if (!checked.ok) {
        req.resume()
        return sendAuthFailure(res, true, checked, base.rawPath)
      }
      const s3 = { engine: options.engine, region: config.region, authorize }
      return handleS3(s3, req, res, { ...base, headers: checked.headers }, who.principal, checked.signature)
    }

    const isDynamoDb = target.startsWith('DynamoDB_20120810.')
    const isCognito = target.startsWith('AWSCognitoIdentityProviderService.')
    if (!isDynamoDb && !isCognito) return sendJsonError(res, 'UnknownOperationException', `The local cloud does not serve ${target}`)
    if (isDynamoDb && who.principal.kind === 'anonymous')
      return sendJsonError(res, 'com.amazonaws.dynamodb.v20120810#MissingAuthenticationTokenException', 'Request is missing Authentication Token')
    const body = await readCappedBody(req, res, isDynamoDb ? DYNAMODB_MAX_BODY : COGNITO_MAX_BODY)
    if (body === undefined) return sendJsonError(res, 'RequestEntityTooLarge', 'Request body too large', 413)
    const checked = verifyEither(base, latin1Headers, who, sha256Hex(body))
    if (!checked.ok) return sendAuthFailure(res, false, checked, base.rawPath)
    if (!parseJsonObject(body))
      return sendJsonError(res, `${isDynamoDb ? 'com.amazonaws.dynamodb.v20120810#' : ''}SerializationException`, 'The request body must be a JSON object')
    const incoming: IncomingRequest = { ...base, headers: checked.headers, body }
    if (isDynamoDb)
      return handleDynamoDb(
        {
          upstream: options.upstreams.dynamodb,
          upstreamHeaders: options.emulatorHeaders?.dynamodb,
          tables: options.tables,
          tableArnFor,
          authorize,
          onWritten: options.onDynamoDbWritten,
        },
        incoming,
        res,
        who.principal,
      )
    return handleCognito(
      { upstream: options.upstreams.cognito, upstreamHeaders: options.emulatorHeaders?.cognito, overrides: options.cognitoOverrides },
      incoming,
      res,
      who.principal,
    )
  }

  return listener
}

/**
 * Verifies with the headers as UTF-8 (what clients that send UTF-8 bytes signed), then, if a
 * signed value has non-ASCII bytes, as Latin-1 (what Node's clients signed: they sign the
 * string and send its Latin-1 bytes). The headers that verified are the ones executed.
 */
function verifyEither(
  base: Omit<IncomingRequest, 'body'>,
  latin1Headers: Record<string, string | undefined>,
  who: Extract<Identified, { ok: true }>,
  payloadHash: string,
): { ok: true; headers: Record<string, string | undefined>; signature?: VerifiedSignature } | AuthFailure {
  const first = verify(base, who, payloadHash)
  if (first.ok) return { ok: true, headers: { ...base.headers }, signature: first.signature }
  const differs = who.info?.signedHeaders.some((h) => base.headers[h] !== latin1Headers[h])
  if (first.code !== 'SignatureDoesNotMatch' || !differs) return first
  const second = verify({ ...base, headers: latin1Headers }, who, payloadHash)
  return second.ok ? { ok: true, headers: latin1Headers, signature: second.signature } : first
}

const JSON_AUTH_ERRORS: Record<string, string> = {
  InvalidAccessKeyId: 'UnrecognizedClientException',
  ExpiredToken: 'ExpiredTokenException',
  InvalidToken: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  IncompleteSignature: 'IncompleteSignatureException',
  AccessDenied: 'AccessDeniedException',
  RequestExpired: 'InvalidSignatureException',
}

function sendAuthFailure(res: ServerResponse, isS3: boolean, failure: AuthFailure, rawPath: string): void {
  if (isS3) sendS3Error(res, failure.code === 'RequestExpired' ? 'RequestTimeTooSkewed' : failure.code, failure.message, rawPath)
  else sendJsonError(res, JSON_AUTH_ERRORS[failure.code] ?? 'AccessDeniedException', failure.message)
}

/**
 * Reads a JSON service's body, at most `limit` bytes; undefined if larger. Sends 100 Continue
 * first: the caller has shown a known credential by now (or none, for the public user-pool
 * calls). A refused body is drained (discarded) up to `DRAIN_MAX` so the 413 reaches the
 * client — closing on a client still sending makes the kernel reset the connection, and the
 * answer is lost — and the connection is closed past that, or when the body was never sent.
 */
async function readCappedBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0)
  const waiting = (req.headers.expect ?? '').toLowerCase() === '100-continue'
  if (declared > limit) {
    if (waiting || declared > DRAIN_MAX) res.setHeader('connection', 'close')
    else req.resume()
    return undefined
  }
  if (waiting) res.writeContinue()
  // Not `for await`: leaving that loop early destroys the request, and the socket with it,
  // before the 413 could be written.
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (value: Uint8Array | undefined) => {
      if (settled) return
      settled = true
      resolve(value)
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > DRAIN_MAX) req.destroy()
      else if (size > limit) settle(undefined)
      else chunks.push(chunk)
    })
    req.on('end', () => settle(Buffer.concat(chunks)))
    req.on('error', () => settle(undefined))
  })
}

/** A JSON protocol's body must be one object: `null`, arrays and scalars are AWS's SerializationException. */
function parseJsonObject(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(body).toString('utf8') || '{}')
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
