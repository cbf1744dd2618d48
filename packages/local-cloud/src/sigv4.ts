/**
 * Verifies AWS Signature Version 4 on incoming requests, both forms: the `Authorization`
 * header and presigned URLs (`X-Amz-Signature` in the query). The signature is recomputed with
 * `@smithy/signature-v4` — the signer the AWS SDK itself uses — from exactly the headers the
 * client said it signed, then compared in constant time.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { timingSafeEqual } from 'node:crypto'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'

/** What the gateway knows of a request before it is signed-checked. */
export interface IncomingRequest {
  method: string
  /** Path exactly as it arrived, still percent-encoded. */
  rawPath: string
  /** Query string without the leading `?`, still percent-encoded. */
  rawQuery: string
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>
  body: Uint8Array
}

export interface SignedRequestInfo {
  accessKeyId: string
  sessionToken: string | undefined
  region: string
  service: string
  signedHeaders: string[]
  signature: string
  /** When the client signed it. */
  signedAt: Date
  /** For presigned URLs: seconds the URL is valid from `signedAt`. */
  expiresIn: number | undefined
}

export class SignatureError extends Error {
  constructor(
    readonly code: 'IncompleteSignature' | 'SignatureDoesNotMatch' | 'AccessDenied' | 'RequestExpired',
    message: string,
  ) {
    super(message)
    this.name = 'SignatureError'
  }
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']

/** AWS rejects header-signed requests whose clock is more than 15 minutes off. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000

/** Reads the signature's claims; undefined when the request is not signed at all (anonymous). */
export function parseSignature(req: IncomingRequest): SignedRequestInfo | undefined {
  const query = new URLSearchParams(req.rawQuery)
  const auth = req.headers.authorization
  if (auth !== undefined) {
    const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/.exec(auth)
    if (!m) throw new SignatureError('IncompleteSignature', 'The Authorization header is not a valid AWS4-HMAC-SHA256 signature')
    const amzDate = req.headers['x-amz-date']
    if (!amzDate) throw new SignatureError('IncompleteSignature', 'Signed requests need an X-Amz-Date header')
    return {
      ...parseCredentialScope(m[1] as string),
      sessionToken: req.headers['x-amz-security-token'],
      signedHeaders: (m[2] as string).split(';'),
      signature: m[3] as string,
      signedAt: parseAmzDate(amzDate),
      expiresIn: undefined,
    }
  }
  if (query.has('X-Amz-Signature')) {
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
      throw new SignatureError('IncompleteSignature', 'Only AWS4-HMAC-SHA256 presigned URLs are supported')
    const expires = Number(query.get('X-Amz-Expires'))
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800)
      throw new SignatureError('AccessDenied', 'X-Amz-Expires must be between 1 and 604800 seconds')
    return {
      ...parseCredentialScope(query.get('X-Amz-Credential') ?? ''),
      sessionToken: query.get('X-Amz-Security-Token') ?? undefined,
      signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
      signature: query.get('X-Amz-Signature') ?? '',
      signedAt: parseAmzDate(query.get('X-Amz-Date') ?? ''),
      expiresIn: expires,
    }
  }
  return undefined
}

/**
 * Throws unless `info.signature` is what the holder of `secretAccessKey` would have produced
 * for this request. Time limits are checked too (clock skew, presigned expiry).
 */
export async function verifySignature(req: IncomingRequest, info: SignedRequestInfo, secretAccessKey: string, now = new Date()): Promise<void> {
  if (!info.signedHeaders.includes('host')) throw new SignatureError('AccessDenied', 'The host header must be signed')
  const headers: Record<string, string> = {}
  for (const name of info.signedHeaders) {
    const value = req.headers[name]
    if (value === undefined) throw new SignatureError('SignatureDoesNotMatch', `Signed header ${name} is missing`)
    headers[name] = value
  }
  const query = parseQuery(req.rawQuery, info.expiresIn !== undefined ? PRESIGN_PARAMS : ['X-Amz-Signature'])
  // S3 signs the path as sent (single encoding); every other service normalises and re-encodes.
  const isS3 = info.service === 's3'
  const signer = new SignatureV4({
    service: info.service,
    region: info.region,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: !isS3,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey, sessionToken: info.sessionToken },
  })
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: headers.host ?? '',
    path: isS3 ? req.rawPath : safeDecode(req.rawPath),
    query,
    headers,
    body: req.body,
  })
  let expected: string | undefined
  if (info.expiresIn !== undefined) {
    if (now.getTime() > info.signedAt.getTime() + info.expiresIn * 1000) throw new SignatureError('AccessDenied', 'Request has expired')
    // Presigned S3 URLs always sign an unsigned payload.
    if (isS3) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
    const presigned = await signer.presign(request, {
      signingDate: info.signedAt,
      expiresIn: info.expiresIn,
      signableHeaders: new Set(info.signedHeaders),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
    })
    const query = presigned.query ?? {}
    if (query['X-Amz-SignedHeaders'] === info.signedHeaders.join(';')) expected = query['X-Amz-Signature'] as string
  } else {
    if (Math.abs(now.getTime() - info.signedAt.getTime()) > MAX_CLOCK_SKEW_MS)
      throw new SignatureError('RequestExpired', 'The difference between the request time and the current time is too large')
    const signed = await signer.sign(request, {
      signingDate: info.signedAt,
      signableHeaders: new Set(info.signedHeaders),
    })
    const m = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')
    if (m && m[1] === info.signedHeaders.join(';')) expected = m[2]
  }
  if (expected === undefined || !constantTimeEqual(expected, info.signature))
    throw new SignatureError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    )
}

function parseCredentialScope(credential: string) {
  const parts = credential.split('/')
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !parts[0]) throw new SignatureError('IncompleteSignature', 'The credential scope is malformed')
  return { accessKeyId: parts[0], region: parts[2] as string, service: parts[3] as string }
}

function parseAmzDate(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (!m) throw new SignatureError('IncompleteSignature', 'X-Amz-Date must look like 20260101T000000Z')
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
}

function parseQuery(rawQuery: string, drop: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    if (drop.includes(k)) continue
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
