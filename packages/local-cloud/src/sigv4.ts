/**
 * Verifies AWS Signature Version 4 on incoming requests, both forms: the `Authorization`
 * header and presigned URLs (`X-Amz-Signature` in the query). The canonical request is built
 * here from exactly what the client said it signed — its signed-header list, its payload hash —
 * rather than by re-signing with `@smithy/signature-v4`, which adds headers of its own
 * (`x-amz-content-sha256`, `x-amz-security-token`) and so refuses requests that are valid on
 * AWS. The steps are AWS's, byte for byte:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** What the gateway knows of a request before it is signed-checked. */
export interface IncomingRequest {
  method: string
  /** Path exactly as it arrived, still percent-encoded. */
  rawPath: string
  /** Query string without the leading `?`, still percent-encoded. */
  rawQuery: string
  /** Lower-cased header names; values decoded as UTF-8 where the bytes were UTF-8. */
  headers: Readonly<Record<string, string | undefined>>
  /** The body, for the JSON services (read only after the credential is known); empty for S3, whose body streams. */
  body: Uint8Array
}

export interface SignedRequestInfo {
  accessKeyId: string
  sessionToken: string | undefined
  /** `<date>/<region>/<service>/aws4_request` */
  scope: string
  scopeDate: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
  /** `X-Amz-Date` as sent. */
  amzDate: string
  /** When the client signed it. */
  signedAt: Date
  /** For presigned URLs: seconds the URL is valid from `signedAt`. */
  expiresIn: number | undefined
}

/** What a verified signature lets the body decoder check: aws-chunked chunk signatures chain from it. */
export interface VerifiedSignature {
  signingKey: Buffer
  signature: string
  amzDate: string
  scope: string
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

/** AWS rejects header-signed requests whose clock is more than 15 minutes off. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000

/** Reads the signature's claims; undefined when the request is not signed at all (anonymous). */
export function parseSignature(req: Pick<IncomingRequest, 'rawQuery' | 'headers'>): SignedRequestInfo | undefined {
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
      amzDate,
      signedAt: parseAmzDate(amzDate),
      expiresIn: undefined,
    }
  }
  const query = new URLSearchParams(req.rawQuery)
  if (query.has('X-Amz-Signature')) {
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
      throw new SignatureError('IncompleteSignature', 'Only AWS4-HMAC-SHA256 presigned URLs are supported')
    const expires = Number(query.get('X-Amz-Expires'))
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800)
      throw new SignatureError('AccessDenied', 'X-Amz-Expires must be between 1 and 604800 seconds')
    const amzDate = query.get('X-Amz-Date') ?? ''
    return {
      ...parseCredentialScope(query.get('X-Amz-Credential') ?? ''),
      sessionToken: query.get('X-Amz-Security-Token') ?? undefined,
      signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
      signature: query.get('X-Amz-Signature') ?? '',
      amzDate,
      signedAt: parseAmzDate(amzDate),
      expiresIn: expires,
    }
  }
  return undefined
}

/**
 * Throws unless `info.signature` is what the holder of `secretAccessKey` would have produced
 * for this request with this payload hash. Time limits are checked too (clock skew, presigned
 * expiry). `payloadHash` is the client's signed `x-amz-content-sha256` for S3 (the body is
 * checked against it as it streams), or the hex SHA-256 of the body for the JSON services.
 */
export function verifySignature(
  req: Omit<IncomingRequest, 'body'>,
  info: SignedRequestInfo,
  secretAccessKey: string,
  payloadHash: string,
  now = new Date(),
): VerifiedSignature {
  if (!info.signedHeaders.includes('host')) throw new SignatureError('AccessDenied', 'The host header must be signed')
  if (info.amzDate.slice(0, 8) !== info.scopeDate) throw new SignatureError('SignatureDoesNotMatch', 'The credential scope date does not match X-Amz-Date')
  if (info.expiresIn !== undefined) {
    if (now.getTime() > info.signedAt.getTime() + info.expiresIn * 1000) throw new SignatureError('AccessDenied', 'Request has expired')
  } else if (Math.abs(now.getTime() - info.signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new SignatureError('RequestExpired', 'The difference between the request time and the current time is too large')
  }
  const sorted = [...info.signedHeaders].sort()
  if (sorted.join(';') !== info.signedHeaders.join(';') || sorted.some((h) => h !== h.toLowerCase() || h === ''))
    throw new SignatureError('SignatureDoesNotMatch', 'SignedHeaders must be lower-case and sorted')
  let canonicalHeaders = ''
  for (const name of info.signedHeaders) {
    const value = req.headers[name]
    if (value === undefined) throw new SignatureError('SignatureDoesNotMatch', `Signed header ${name} is missing`)
    canonicalHeaders += `${name}:${value.trim().replace(/\s+/g, ' ')}\n`
  }
  // S3 signs the path encoded once: as sent by the SDKs, or as its decoded key re-encoded by
  // clients that send some characters bare (`!`, `(`, unicode…) but sign them encoded. Both
  // decode to the same key, which is the one the operation uses. Every other service
  // normalises the path and encodes it once more (as the old smithy-based check did).
  const decodedPath = safeDecode(req.rawPath)
  const uris = info.service === 's3' ? [...new Set([req.rawPath || '/', encodePath(decodedPath)])] : [encodePath(normalisePath(decodedPath))]
  const signingKey = deriveSigningKey(secretAccessKey, info.scopeDate, info.region, info.service)
  const query = canonicalQuery(req.rawQuery, info.expiresIn !== undefined)
  const matches = uris.some((uri) => {
    const canonicalRequest = [req.method, uri, query, canonicalHeaders, info.signedHeaders.join(';'), payloadHash].join('\n')
    const stringToSign = ['AWS4-HMAC-SHA256', info.amzDate, info.scope, sha256Hex(canonicalRequest)].join('\n')
    return constantTimeEqual(createHmac('sha256', signingKey).update(stringToSign).digest('hex'), info.signature)
  })
  if (!matches)
    throw new SignatureError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    )
  return { signingKey, signature: info.signature, amzDate: info.amzDate, scope: info.scope }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(date).digest()
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest()
  return key
}

/** RFC 3986 encoding, as SigV4 wants it: everything but unreserved characters. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/')
}

/** Removes `.`/`..` segments and duplicate slashes, as non-S3 services canonicalise the path. */
function normalisePath(path: string): string {
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  return `/${out.join('/')}${path.endsWith('/') && out.length ? '/' : ''}`
}

/** Every parameter but the signature, decoded as the operation parser decodes it, then encoded and sorted. */
function canonicalQuery(rawQuery: string, presigned: boolean): string {
  const pairs: [string, string][] = []
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    if (k === 'X-Amz-Signature' && presigned) continue
    pairs.push([uriEncode(k), uriEncode(v)])
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

function parseCredentialScope(credential: string) {
  const parts = credential.split('/')
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !parts[0] || !/^\d{8}$/.test(parts[1] ?? ''))
    throw new SignatureError('IncompleteSignature', 'The credential scope is malformed')
  return {
    accessKeyId: parts[0],
    scopeDate: parts[1] as string,
    region: parts[2] as string,
    service: parts[3] as string,
    scope: parts.slice(1).join('/'),
  }
}

function parseAmzDate(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (!m) throw new SignatureError('IncompleteSignature', 'X-Amz-Date must look like 20260101T000000Z')
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
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
