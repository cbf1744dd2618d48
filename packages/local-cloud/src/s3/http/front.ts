/**
 * The S3 half of the gateway, on the in-process engine: parse the request once, authorize that
 * parsed operation against the policy documents, then execute the same object. The body is
 * opened only after authorization (that is when `100 Continue` goes out) and streams into the
 * engine, which checks its declared hashes as it writes and stores nothing on a mismatch.
 */
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Principal } from '../../authenticate.js'
import { createAwsChunkedDecoder } from '../../aws-chunked.js'
import { s3RequestId } from '../../aws-errors.js'
import type { AuthorizationRequest } from '../../iam/evaluate.js'
import type { VerifiedSignature } from '../../sigv4.js'
import type { S3Engine } from '../engine/types.js'
import { S3Error } from '../engine/types.js'
import { s3Authorizations } from './authorizations.js'
import { executeS3, type RequestBody, sendFailure } from './execute.js'
import { unsafeKeyReason } from './key-rules.js'
import { type BodyFraming, parseS3Request, type RawS3Request, type S3Operation } from './parse.js'

export interface S3FrontContext {
  engine: S3Engine
  region: string
  /** All of the request's authorizations allowed? */
  authorize: (principal: Principal, requests: AuthorizationRequest[]) => boolean
}

/** Bodies up to this size are drained when the answer comes before them; larger ones close the connection. */
const DRAIN_LIMIT = 64 * 1024 * 1024

export async function handleS3(
  ctx: S3FrontContext,
  req: IncomingMessage,
  res: ServerResponse,
  raw: RawS3Request,
  principal: Principal,
  signature: VerifiedSignature | undefined,
): Promise<void> {
  s3RequestId(res)
  let opened = false
  try {
    const op = parseS3Request(raw)
    refuseUnsafeKeys(op)
    if (principal.kind === 'anonymous' && 'responseOverrides' in op && Object.keys(op.responseOverrides).length > 0)
      throw new S3Error('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.', 400)
    if (!ctx.authorize(principal, s3Authorizations(op))) throw new S3Error('AccessDenied', 'Access Denied', 403)
    const framing: BodyFraming = 'framing' in op ? op.framing : framingOf(raw.headers)
    const body = requestBody(req, res, raw.headers, framing, signature, () => {
      opened = true
    })
    await executeS3({ engine: ctx.engine, region: ctx.region, authorize: (r) => ctx.authorize(principal, [r]) }, op, body, res)
  } catch (e) {
    if (!req.readableEnded) leaveUnreadBody(req, res, opened)
    sendFailure(res, e, raw.rawPath)
  }
}

function refuseUnsafeKeys(op: S3Operation): void {
  const keys = [...('key' in op && op.key !== undefined ? [op.key] : []), ...('source' in op ? [op.source.key] : [])]
  for (const key of keys) {
    const reason = unsafeKeyReason(key)
    if (reason) throw new S3Error('InvalidArgument', reason, 400, { ArgumentName: 'key' })
  }
}

/** XML-bodied operations (DeleteObjects, Complete…) may be aws-chunked too. */
function framingOf(h: RawS3Request['headers']): BodyFraming {
  const sha = h['x-amz-content-sha256'] ?? ''
  if (!sha.startsWith('STREAMING-')) return { kind: 'plain' }
  const trailerNames = (h['x-amz-trailer'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  return { kind: 'aws-chunked', signed: sha.startsWith('STREAMING-AWS4-HMAC-SHA256'), trailer: sha.endsWith('-TRAILER'), trailerNames }
}

function requestBody(
  req: IncomingMessage,
  res: ServerResponse,
  headers: RawS3Request['headers'],
  framing: BodyFraming,
  signature: VerifiedSignature | undefined,
  onOpen: () => void,
): RequestBody {
  const open = (): Readable => {
    onOpen()
    // Authorized: now the client may send the body (see the gateway's checkContinue).
    if ((headers.expect ?? '').toLowerCase() === '100-continue' && !res.headersSent) res.writeContinue()
    if (framing.kind === 'plain') return req
    if (framing.signed && !signature) throw new S3Error('AccessDenied', 'A signed aws-chunked body needs a signed request.', 403)
    const decoder = createAwsChunkedDecoder({
      trailerNames: framing.trailerNames,
      signing:
        framing.signed && signature
          ? { signingKey: signature.signingKey, seedSignature: signature.signature, amzDate: signature.amzDate, scope: signature.scope }
          : undefined,
    })
    req.on('error', (e) => decoder.destroy(e))
    // The decoder may fail (a bad chunk signature) before the engine starts reading; the error
    // stays on the stream (`errored`) for the engine's pipeline to report, and must not crash
    // the process as an unhandled 'error' event meanwhile.
    decoder.on('error', () => {})
    return req.pipe(decoder)
  }
  return {
    stream: open,
    async text(limit) {
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of open()) {
        size += (chunk as Buffer).length
        if (size > limit) throw new S3Error('MaxMessageLengthExceeded', 'Your request was too big.', 400)
        chunks.push(chunk as Buffer)
      }
      const body = Buffer.concat(chunks)
      const sha = headers['x-amz-content-sha256']
      if (sha && /^[0-9a-f]{64}$/.test(sha) && createHash('sha256').update(body).digest('hex') !== sha)
        throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400)
      const md5 = headers['content-md5']
      if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5)
        throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400)
      return body.toString('utf8')
    },
  }
}

/**
 * An answer that comes before the body was read (a denial, a precondition): a body the client
 * is sending is drained (discarded, up to `DRAIN_LIMIT`), because closing on a client still
 * sending makes the kernel reset the connection and the answer is lost; a body the client still
 * holds back (no 100 Continue was sent), or a larger one, closes the connection instead.
 */
function leaveUnreadBody(req: IncomingMessage, res: ServerResponse, continued: boolean): void {
  const declared = Number(req.headers['content-length'] ?? 0)
  const waiting = (req.headers.expect ?? '').toLowerCase() === '100-continue'
  req.unpipe()
  if (req.readableEnded) return
  if ((waiting && !continued) || declared > DRAIN_LIMIT) {
    if (!res.headersSent) res.setHeader('connection', 'close')
    return
  }
  let drained = 0
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length
    if (drained > DRAIN_LIMIT) req.destroy()
  })
  req.resume()
}
