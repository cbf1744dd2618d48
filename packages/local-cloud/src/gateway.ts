/**
 * The one endpoint clients are given: it authenticates every request (SigV4), evaluates the
 * production policy documents, and forwards what they allow to the emulators. It also serves
 * the identity-pool API, the mailbox and the running instance's configuration.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { PolicyDocument } from '@whimsy/infra/policies'
import type { WhimsyConfig } from '@whimsy/sdk/config'
import { type AdminKey, authenticate, type Principal } from './authenticate.js'
import { sendJsonError, sendS3Error } from './aws-errors.js'
import { type CognitoProxyContext, handleCognito } from './cognito-proxy.js'
import { applyCors } from './cors.js'
import type { CredentialMint } from './credentials.js'
import type { TableLookup } from './dynamodb-actions.js'
import { handleDynamoDb } from './dynamodb-proxy.js'
import { type AuthorizationRequest, type Caller, evaluate } from './iam/evaluate.js'
import type { IdentityPool } from './identity-pool.js'
import { KeyLock } from './key-lock.js'
import { classifyTarget, createLocalRoutes, type HealthReport, refusePath } from './local-routes.js'
import type { Mailbox } from './mailbox.js'
import { MultipartUploads } from './multipart-uploads.js'
import { handleS3 } from './s3-proxy.js'
import type { IncomingRequest } from './sigv4.js'

export interface GatewayOptions {
  config: WhimsyConfig
  accountId: string
  upstreams: { s3: string; dynamodb: string; cognito: string }
  /** Headers every call to an emulator carries (issue 11, finding 10: its per-start secret). */
  emulatorHeaders?: { dynamodb?: Record<string, string>; cognito?: Record<string, string> }
  mint: CredentialMint
  admin: AdminKey
  identityPool: IdentityPool
  mailbox: Mailbox
  /** The authenticated role's identity policy and the bucket policy, from infra. */
  policies: { authenticatedRole: PolicyDocument; bucket: PolicyDocument }
  tables: TableLookup
  cognitoOverrides?: CognitoProxyContext['overrides']
  /** s3rver's data directory, where the gateway reads pending multipart uploads. */
  s3DataDir: string
  /** What `/_whimsy/health` reports. */
  health: () => HealthReport
  /** The handle registry's claim API at `/_whimsy/handles/…`; it answers CORS itself (app origin only). */
  handles?: (req: IncomingMessage, res: ServerResponse) => Promise<void>
}

/** S3 allows single PUTs up to 5 GB; bodies are held in memory here, so the local cap is lower. */
const MAX_BODY_BYTES = 1024 * 1024 * 1024

export function createGatewayHandler(options: GatewayOptions): RequestListener {
  const { config, accountId } = options
  const locks = new KeyLock()
  const uploads = new MultipartUploads(options.s3DataDir)
  const serveLocal = createLocalRoutes({ config, mailbox: options.mailbox, health: options.health, handles: options.handles })

  const authorize = (principal: Principal, requests: AuthorizationRequest[]): boolean => {
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
    if (where.kind === 'local') return serveLocal(req, res, where)
    applyCors(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204)
      res.end()
      return
    }

    const target = String(req.headers['x-amz-target'] ?? '')
    const isS3 = target === ''
    const body = await readBody(req)
    if (body === undefined) {
      return isS3
        ? sendS3Error(res, 'EntityTooLarge', `The local cloud accepts request bodies up to ${MAX_BODY_BYTES} bytes; use a multipart upload.`)
        : sendJsonError(res, 'RequestEntityTooLarge', 'Request body too large', 413)
    }
    const rawUrl = req.url ?? '/'
    const q = rawUrl.indexOf('?')
    const incoming: IncomingRequest = {
      method: req.method ?? 'GET',
      rawPath: q < 0 ? rawUrl : rawUrl.slice(0, q),
      rawQuery: q < 0 ? '' : rawUrl.slice(q + 1),
      headers: flattenHeaders(req),
      body,
    }

    if (target.startsWith('AWSCognitoIdentityService.')) {
      // Unsigned, as on AWS: the ID token in the body is the proof.
      const parsed = parseJson(body)
      if (!parsed) return sendJsonError(res, 'SerializationException', 'The request body is not valid JSON')
      const answer = await options.identityPool.handle(target.split('.')[1] ?? '', parsed)
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify(answer.body))
      return
    }

    const auth = await authenticate(incoming, options.mint, options.admin)
    if (!auth.ok) {
      if (isS3) return sendS3Error(res, auth.code === 'RequestExpired' ? 'RequestTimeTooSkewed' : auth.code, auth.message, incoming.rawPath)
      const jsonType: Record<string, string> = {
        InvalidAccessKeyId: 'UnrecognizedClientException',
        ExpiredToken: 'ExpiredTokenException',
        InvalidToken: 'UnrecognizedClientException',
        SignatureDoesNotMatch: 'InvalidSignatureException',
        IncompleteSignature: 'IncompleteSignatureException',
        AccessDenied: 'AccessDeniedException',
        RequestExpired: 'InvalidSignatureException',
      }
      return sendJsonError(res, jsonType[auth.code] ?? 'AccessDeniedException', auth.message)
    }

    if (target.startsWith('DynamoDB_20120810.'))
      return handleDynamoDb(
        { upstream: options.upstreams.dynamodb, upstreamHeaders: options.emulatorHeaders?.dynamodb, tables: options.tables, tableArnFor, authorize },
        incoming,
        res,
        auth.principal,
      )
    if (target.startsWith('AWSCognitoIdentityProviderService.'))
      return handleCognito(
        { upstream: options.upstreams.cognito, upstreamHeaders: options.emulatorHeaders?.cognito, overrides: options.cognitoOverrides },
        incoming,
        res,
        auth.principal,
      )
    if (isS3) return handleS3({ upstream: options.upstreams.s3, locks, uploads, authorize }, incoming, res, auth.principal)
    return sendJsonError(res, 'UnknownOperationException', `The local cloud does not serve ${target}`)
  }

  return listener
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) {
    req.resume()
    return undefined
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(',') : v
  return out
}

function parseJson(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8') || '{}') as Record<string, unknown>
  } catch {
    return undefined
  }
}
