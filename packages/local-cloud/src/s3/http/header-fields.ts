/**
 * What an S3 request's headers declare — copy source, conditions, range, content headers and
 * metadata, body framing and integrity, ACL — read once, for the operation `parse.ts` builds.
 */
import type { BodyIntegrity, ByteRange, ChecksumAlgorithm, ObjectHeaders, ReadConditions, WriteConditions } from '../engine/types.js'
import { S3Error } from '../engine/types.js'
import type { BodyFraming, CopySource, OwnerOnlyAcl, RawS3Request } from './operations.js'

/** S3's rules for bucket names (the ones that matter here: DNS-style, 3–63 characters). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256']

export const invalid = (message: string, argument?: string) =>
  new S3Error('InvalidArgument', message, 400, argument === undefined ? {} : { ArgumentName: argument })

/**
 * `x-amz-copy-source: [/]bucket/key[?versionId=…]`, URL-encoded. The `?` that starts the
 * version is a raw `?`: one inside the key arrives as `%3F`, so splitting first is exact.
 */
export function parseCopySource(header: string, h: RawS3Request['headers'], prefix: string): CopySource {
  const q = header.indexOf('?')
  const path = q < 0 ? header : header.slice(0, q)
  const trimmed = path.startsWith('/') ? path.slice(1) : path
  const slash = trimmed.indexOf('/')
  const bad = () => invalid('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source')
  if (slash <= 0 || slash === trimmed.length - 1) throw bad()
  const rawBucket = trimmed.slice(0, slash)
  if (!BUCKET_NAME.test(rawBucket)) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: rawBucket })
  let key: string
  try {
    key = decodeURIComponent(trimmed.slice(slash + 1))
  } catch {
    throw bad()
  }
  let versionId: string | undefined
  if (q >= 0) {
    const params = new URLSearchParams(header.slice(q + 1))
    versionId = params.get('versionId') ?? undefined
    if (versionId === undefined || [...params.keys()].length !== 1) throw bad()
  }
  const conditions = readConditions(h[`${prefix}if-match`], h[`${prefix}if-none-match`], h[`${prefix}if-modified-since`], h[`${prefix}if-unmodified-since`])
  return { bucket: rawBucket, key, versionId, conditions: Object.keys(conditions).length ? conditions : undefined }
}

export function readConditions(ifMatch?: string, ifNoneMatch?: string, ifModifiedSince?: string, ifUnmodifiedSince?: string): ReadConditions {
  const out: ReadConditions = {}
  if (ifMatch !== undefined) out.ifMatch = ifMatch
  if (ifNoneMatch !== undefined) out.ifNoneMatch = ifNoneMatch
  // An unparseable date is ignored, as S3 (and HTTP) ignore it.
  const date = (s?: string) => {
    if (s === undefined) return undefined
    const d = new Date(s)
    return Number.isNaN(d.getTime()) ? undefined : d
  }
  const modified = date(ifModifiedSince)
  const unmodified = date(ifUnmodifiedSince)
  if (modified) out.ifModifiedSince = modified
  if (unmodified) out.ifUnmodifiedSince = unmodified
  return out
}

export function writeConditions(h: RawS3Request['headers']): WriteConditions {
  const out: WriteConditions = {}
  const ifNoneMatch = h['if-none-match']
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 'If-None-Match on writes accepts only "*".', 501, { Header: 'If-None-Match' })
    out.ifNoneMatch = '*'
  }
  if (h['if-match'] !== undefined) out.ifMatch = h['if-match']
  return out
}

/** `Range: bytes=a-b | a- | -n`; one range only, as S3 serves. Anything else is ignored, as S3 ignores it. */
export function parseRange(header: string): ByteRange | undefined {
  const m = /^\s*bytes=(\d*)-(\d*)\s*$/.exec(header)
  if (!m) return undefined
  const [, a = '', b = ''] = m
  if (a === '' && b === '') return undefined
  if (a === '') return { suffix: Number(b) }
  if (b !== '' && Number(b) < Number(a)) return undefined
  return b === '' ? { start: Number(a) } : { start: Number(a), end: Number(b) }
}

/** Content headers and `x-amz-meta-*` as they are stored; `aws-chunked` is framing, never content. */
export function objectHeaders(h: RawS3Request['headers']): ObjectHeaders {
  const metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(h)) if (value !== undefined && name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = value
  const encoding = (h['content-encoding'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s.toLowerCase() !== 'aws-chunked')
    .join(', ')
  const out: ObjectHeaders = { metadata }
  if (h['content-type'] !== undefined) out.contentType = h['content-type']
  if (encoding) out.contentEncoding = encoding
  if (h['content-disposition'] !== undefined) out.contentDisposition = h['content-disposition']
  if (h['content-language'] !== undefined) out.contentLanguage = h['content-language']
  if (h['cache-control'] !== undefined) out.cacheControl = h['cache-control']
  if (h.expires !== undefined) out.expires = h.expires
  return out
}

/** What the body's headers declare: its framing, and what to check while it streams in. */
export function bodyOf(h: RawS3Request['headers'], wholeObject: boolean): { integrity: BodyIntegrity; framing: BodyFraming } {
  const sha = h['x-amz-content-sha256']
  const integrity: BodyIntegrity = {}
  let framing: BodyFraming = { kind: 'plain' }
  if (sha?.startsWith('STREAMING-')) {
    if (sha === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') framing = { kind: 'aws-chunked', signed: false, trailer: true, trailerNames: [] }
    else if (sha === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD') framing = { kind: 'aws-chunked', signed: true, trailer: false, trailerNames: [] }
    else if (sha === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') framing = { kind: 'aws-chunked', signed: true, trailer: true, trailerNames: [] }
    else throw new S3Error('NotImplemented', `x-amz-content-sha256 ${sha} is not supported by the local cloud.`, 501, { Header: 'x-amz-content-sha256' })
    if (framing.trailer)
      framing.trailerNames = (h['x-amz-trailer'] ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean)
  } else if (sha !== undefined && sha !== 'UNSIGNED-PAYLOAD') {
    if (!/^[0-9a-f]{64}$/.test(sha))
      throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a SHA-256 hex digest.', 400)
    integrity.sha256Hex = sha
  }
  const lengthHeader = framing.kind === 'aws-chunked' ? h['x-amz-decoded-content-length'] : h['content-length']
  if (lengthHeader !== undefined) {
    if (!/^\d+$/.test(lengthHeader.trim()))
      throw invalid('The length header is not a number.', framing.kind === 'plain' ? 'Content-Length' : 'x-amz-decoded-content-length')
    integrity.expectedLength = Number(lengthHeader)
  } else if (framing.kind === 'aws-chunked' || h['transfer-encoding'] !== undefined) {
    throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411)
  } else {
    integrity.expectedLength = 0
  }
  if ((integrity.expectedLength ?? 0) > 5 * 1024 ** 3)
    throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { MaxSizeAllowed: String(5 * 1024 ** 3) })
  if (h['content-md5'] !== undefined) integrity.contentMd5 = h['content-md5']
  const declared = CHECKSUM_ALGORITHMS.find((a) => h[`x-amz-checksum-${a.toLowerCase()}`] !== undefined)
  if (declared) integrity.checksum = { algorithm: declared, value: h[`x-amz-checksum-${declared.toLowerCase()}`] }
  else {
    const fromTrailer =
      framing.kind === 'aws-chunked' ? CHECKSUM_ALGORITHMS.find((a) => framing.trailerNames.includes(`x-amz-checksum-${a.toLowerCase()}`)) : undefined
    const algorithm = fromTrailer ?? checksumAlgorithmOf(h['x-amz-sdk-checksum-algorithm'] ?? (wholeObject ? h['x-amz-checksum-algorithm'] : undefined))
    if (algorithm) integrity.checksum = { algorithm }
  }
  return { integrity, framing }
}

export function checksumAlgorithmOf(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined
  const upper = value.toUpperCase() as ChecksumAlgorithm
  if (!CHECKSUM_ALGORITHMS.includes(upper)) throw invalid('Checksum algorithm provided is unsupported.', 'x-amz-checksum-algorithm')
  return upper
}

export function aclOf(h: RawS3Request['headers']): OwnerOnlyAcl | undefined {
  if (Object.keys(h).some((name) => name.startsWith('x-amz-grant-'))) throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400)
  const acl = h['x-amz-acl']
  if (acl === undefined) return undefined
  // Production buckets have ACLs disabled (BucketOwnerEnforced): S3 accepts only the canned
  // ACL that changes nothing there, and AWS tells users of such buckets to send that one.
  const canned = acl.trim()
  if (canned !== 'bucket-owner-full-control') throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400)
  return canned
}
