/**
 * Parses an S3 REST request (path-style) ONCE into a typed operation. The gateway authorizes
 * that object (`authorizations.ts`) and executes that same object (`execute.ts`): nothing
 * downstream re-reads the raw path, query or headers, so what is authorized is what is executed.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import type { BodyIntegrity, ByteRange, ChecksumAlgorithm, ChecksumType, ObjectHeaders, ReadConditions, WriteConditions } from '../engine/types.js'
import { S3Error } from '../engine/types.js'

export interface RawS3Request {
  method: string
  /** Still percent-encoded, as it arrived. */
  rawPath: string
  /** Without the `?`, still percent-encoded. */
  rawQuery: string
  /** Lower-cased names; values already decoded as UTF-8 where they were. */
  headers: Readonly<Record<string, string | undefined>>
}

/** How the body arrives: as is, or in aws-chunked framing (optionally with chunk signatures and trailing checksums). */
export type BodyFraming = { kind: 'plain' } | { kind: 'aws-chunked'; signed: boolean; trailer: boolean; trailerNames: string[] }

export interface CopySource {
  bucket: string
  key: string
  versionId?: string
  conditions?: ReadConditions
}

/** A canned ACL a bucket with ACLs off accepts: one that grants the bucket owner, and only it, full control. */
type Acl = { acl?: OwnerOnlyAcl }
type OwnerOnlyAcl = 'bucket-owner-full-control' | 'private'

export type S3Operation =
  | { op: 'ListBuckets' }
  | { op: 'CreateBucket'; bucket: string }
  | { op: 'HeadBucket'; bucket: string }
  | { op: 'GetBucketLocation'; bucket: string }
  | { op: 'GetBucketVersioning'; bucket: string }
  | { op: 'PutBucketVersioning'; bucket: string }
  | {
      op: 'ListObjects'
      bucket: string
      version: 1 | 2
      prefix?: string
      delimiter?: string
      maxKeys: number
      /** `max-keys` as sent, for the policy's `s3:max-keys`. */
      maxKeysSent?: string
      /** V1's marker. */
      marker?: string
      /** V2's token, as sent (opaque to the client). */
      continuationToken?: string
      startAfter?: string
      encodingType?: 'url'
      fetchOwner: boolean
    }
  | {
      op: 'ListObjectVersions'
      bucket: string
      prefix?: string
      delimiter?: string
      keyMarker?: string
      versionIdMarker?: string
      maxKeys: number
      maxKeysSent?: string
      encodingType?: 'url'
    }
  | {
      op: 'ListMultipartUploads'
      bucket: string
      prefix?: string
      delimiter?: string
      keyMarker?: string
      uploadIdMarker?: string
      maxUploads: number
      encodingType?: 'url'
    }
  | { op: 'DeleteObjects'; bucket: string }
  | {
      op: 'GetObject' | 'HeadObject'
      bucket: string
      key: string
      versionId?: string
      range?: ByteRange
      partNumber?: number
      conditions: ReadConditions
      /** `response-content-type` & co.: headers to answer with instead of the stored ones. */
      responseOverrides: Record<string, string>
      checksumMode: boolean
    }
  | ({
      op: 'PutObject'
      bucket: string
      key: string
      headers: ObjectHeaders
      integrity: BodyIntegrity
      framing: BodyFraming
      conditions: WriteConditions
    } & Acl)
  | ({
      op: 'CopyObject'
      bucket: string
      key: string
      source: CopySource
      metadataDirective: 'COPY' | 'REPLACE'
      headers: ObjectHeaders
      checksumAlgorithm?: ChecksumAlgorithm
      conditions: WriteConditions
    } & Acl)
  | { op: 'DeleteObject'; bucket: string; key: string; versionId?: string; conditions: Pick<WriteConditions, 'ifMatch'> }
  | ({
      op: 'CreateMultipartUpload'
      bucket: string
      key: string
      headers: ObjectHeaders
      checksum?: { algorithm: ChecksumAlgorithm; type?: ChecksumType }
    } & Acl)
  | { op: 'UploadPart'; bucket: string; key: string; uploadId: string; partNumber: number; integrity: BodyIntegrity; framing: BodyFraming }
  | {
      op: 'UploadPartCopy'
      bucket: string
      key: string
      uploadId: string
      partNumber: number
      source: CopySource & { range?: { start: number; end: number } }
    }
  | {
      op: 'CompleteMultipartUpload'
      bucket: string
      key: string
      uploadId: string
      conditions: WriteConditions
      checksum?: { algorithm: ChecksumAlgorithm; type?: ChecksumType; value?: string }
    }
  | { op: 'AbortMultipartUpload'; bucket: string; key: string; uploadId: string }
  | { op: 'ListParts'; bucket: string; key: string; uploadId: string; partNumberMarker?: number; maxParts: number }
  /** Tags are not kept locally: every object has an empty tag set (awscli reads it before a multipart copy). */
  | { op: 'GetObjectTagging'; bucket: string; key: string; versionId?: string }
  | { op: 'GetObjectAttributes'; bucket: string; key: string; versionId?: string; attributes: string[]; maxParts: number; partNumberMarker?: number }
  /** Recognised but not served locally: authorized under its own action, then NotImplemented. */
  | { op: 'Unsupported'; action: string; bucket?: string; key?: string }

export type ObjectOperation = Extract<S3Operation, { key: string }>

/** S3's rules for bucket names (the ones that matter here: DNS-style, 3–63 characters). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256']

/** Query parameters that only say how to answer a listing, never which subresource is meant. */
const LIST_PARAMS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'marker',
  'encoding-type',
  'fetch-owner',
  'x-id',
  'optional-object-attributes',
])

/** Query parameters of a SigV4 presigned URL: part of the signature, never of the operation. */
const PRESIGN_PARAM = /^X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token)$/

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
}

const OBJECT_SUBRESOURCES: Record<string, Partial<Record<string, string>>> = {
  tagging: { GET: 's3:GetObjectTagging', PUT: 's3:PutObjectTagging', DELETE: 's3:DeleteObjectTagging' },
  acl: { GET: 's3:GetObjectAcl', PUT: 's3:PutObjectAcl' },
  retention: { GET: 's3:GetObjectRetention', PUT: 's3:PutObjectRetention' },
  'legal-hold': { GET: 's3:GetObjectLegalHold', PUT: 's3:PutObjectLegalHold' },
  restore: { POST: 's3:RestoreObject' },
  select: { POST: 's3:GetObject' },
  torrent: { GET: 's3:GetObjectTorrent' },
}

const invalid = (message: string, argument?: string) => new S3Error('InvalidArgument', message, 400, argument === undefined ? {} : { ArgumentName: argument })

/** The query as the signature and the operation both read it: names and values decoded once. */
export function parseQuery(rawQuery: string): URLSearchParams {
  return new URLSearchParams(rawQuery)
}

/** Throws `S3Error` (InvalidURI, InvalidBucketName, InvalidArgument, …) for requests S3 would refuse to parse. */
export function parseS3Request(req: RawS3Request): S3Operation {
  const { bucket, key } = parsePath(req.rawPath)
  const query = parseQuery(req.rawQuery)
  const method = req.method.toUpperCase()
  const h = req.headers
  if (bucket === undefined) {
    if (method === 'GET') return { op: 'ListBuckets' }
    return { op: 'Unsupported', action: `s3:${method}` }
  }
  if (key === undefined) return parseBucketRequest(method, bucket, query)

  if (method === 'GET' && query.has('tagging')) return { op: 'GetObjectTagging', bucket, key, versionId: query.get('versionId') ?? undefined }
  for (const [sub, actions] of Object.entries(OBJECT_SUBRESOURCES)) {
    if (query.has(sub)) return { op: 'Unsupported', action: actions[method] ?? `s3:${method}Object`, bucket, key }
  }
  const uploadId = query.get('uploadId') ?? undefined
  const versionId = query.get('versionId') ?? undefined
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('attributes')) {
      return {
        op: 'GetObjectAttributes',
        bucket,
        key,
        versionId,
        attributes: (h['x-amz-object-attributes'] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        maxParts: intParam(h['x-amz-max-parts'], 'x-amz-max-parts', 0, 1000) ?? 1000,
        partNumberMarker: intParam(h['x-amz-part-number-marker'], 'x-amz-part-number-marker', 0, 10_000),
      }
    }
    if (uploadId !== undefined && method === 'GET') {
      return {
        op: 'ListParts',
        bucket,
        key,
        uploadId,
        maxParts: intParam(query.get('max-parts'), 'max-parts', 0, 1000) ?? 1000,
        partNumberMarker: intParam(query.get('part-number-marker'), 'part-number-marker', 0, 10_000),
      }
    }
    const responseOverrides: Record<string, string> = {}
    for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const v = query.get(param)
      if (v !== null) responseOverrides[header] = v
    }
    const partNumber = intParam(query.get('partNumber'), 'partNumber', 1, 10_000)
    const range = h.range !== undefined ? parseRange(h.range) : undefined
    if (partNumber !== undefined && range !== undefined)
      throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter', 400)
    return {
      op: method === 'GET' ? 'GetObject' : 'HeadObject',
      bucket,
      key,
      versionId,
      range,
      partNumber,
      conditions: readConditions(h['if-match'], h['if-none-match'], h['if-modified-since'], h['if-unmodified-since']),
      responseOverrides,
      checksumMode: (h['x-amz-checksum-mode'] ?? '').toUpperCase() === 'ENABLED',
    }
  }
  if (method === 'PUT') {
    const copySource = h['x-amz-copy-source']
    if (uploadId !== undefined || query.has('partNumber')) {
      if (uploadId === undefined) throw invalid('A part upload needs an uploadId.', 'uploadId')
      const partNumber = intParam(query.get('partNumber'), 'partNumber', 1, 10_000)
      if (partNumber === undefined) throw invalid('Part number must be an integer between 1 and 10000, inclusive', 'partNumber')
      if (copySource !== undefined) {
        const source = parseCopySource(copySource, h, 'x-amz-copy-source-')
        const rangeHeader = h['x-amz-copy-source-range']
        let range: { start: number; end: number } | undefined
        if (rangeHeader !== undefined) {
          const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim())
          if (!m || Number(m[1]) > Number(m[2]))
            throw invalid('The x-amz-copy-source-range value must be of the form bytes=first-last.', 'x-amz-copy-source-range')
          range = { start: Number(m[1]), end: Number(m[2]) }
        }
        return { op: 'UploadPartCopy', bucket, key, uploadId, partNumber, source: { ...source, range } }
      }
      const { integrity, framing } = bodyOf(h, false)
      return { op: 'UploadPart', bucket, key, uploadId, partNumber, integrity, framing }
    }
    const acl = aclOf(h)
    if (copySource !== undefined) {
      const directive = (h['x-amz-metadata-directive'] ?? 'COPY').toUpperCase()
      if (directive !== 'COPY' && directive !== 'REPLACE') throw invalid('Unknown metadata directive.', 'x-amz-metadata-directive')
      return {
        op: 'CopyObject',
        bucket,
        key,
        source: parseCopySource(copySource, h, 'x-amz-copy-source-'),
        metadataDirective: directive,
        headers: objectHeaders(h),
        checksumAlgorithm: checksumAlgorithmOf(h['x-amz-checksum-algorithm']),
        conditions: writeConditions(h),
        acl,
      }
    }
    const { integrity, framing } = bodyOf(h, true)
    return { op: 'PutObject', bucket, key, headers: objectHeaders(h), integrity, framing, conditions: writeConditions(h), acl }
  }
  if (method === 'POST') {
    if (query.has('uploads')) {
      const algorithm = checksumAlgorithmOf(h['x-amz-checksum-algorithm'])
      const type = h['x-amz-checksum-type']?.toUpperCase()
      if (type !== undefined && type !== 'FULL_OBJECT' && type !== 'COMPOSITE') throw invalid('Unknown checksum type.', 'x-amz-checksum-type')
      return {
        op: 'CreateMultipartUpload',
        bucket,
        key,
        headers: objectHeaders(h),
        checksum: algorithm ? { algorithm, type } : undefined,
        acl: aclOf(h),
      }
    }
    if (uploadId !== undefined) {
      const found = CHECKSUM_ALGORITHMS.find((a) => h[`x-amz-checksum-${a.toLowerCase()}`] !== undefined)
      const type = h['x-amz-checksum-type']?.toUpperCase() as ChecksumType | undefined
      return {
        op: 'CompleteMultipartUpload',
        bucket,
        key,
        uploadId,
        conditions: writeConditions(h),
        checksum: found ? { algorithm: found, type, value: h[`x-amz-checksum-${found.toLowerCase()}`] } : undefined,
      }
    }
    return { op: 'Unsupported', action: 's3:PostObject', bucket, key }
  }
  if (method === 'DELETE') {
    if (uploadId !== undefined) return { op: 'AbortMultipartUpload', bucket, key, uploadId }
    const ifMatch = h['if-match']
    return { op: 'DeleteObject', bucket, key, versionId, conditions: ifMatch === undefined ? {} : { ifMatch } }
  }
  return { op: 'Unsupported', action: `s3:${method}Object`, bucket, key }
}

/**
 * `/<bucket>/<key>`: the bucket segment must be a plain bucket name (no escapes at all, so
 * `%2F` can never smuggle a key into it); the key is the rest, decoded exactly once.
 */
export function parsePath(rawPath: string): { bucket?: string; key?: string } {
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI', 'Could not parse the specified URI.', 400)
  const slash = rawPath.indexOf('/', 1)
  const rawBucket = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash)
  if (rawBucket === '') {
    if (slash >= 0 || rawPath.length > 1) throw new S3Error('InvalidURI', 'Could not parse the specified URI.', 400)
    return {}
  }
  if (!BUCKET_NAME.test(rawBucket)) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: rawBucket })
  const rawKey = slash < 0 ? '' : rawPath.slice(slash + 1)
  if (rawKey === '') return { bucket: rawBucket }
  let key: string
  try {
    key = decodeURIComponent(rawKey)
  } catch {
    throw new S3Error('InvalidURI', 'Could not parse the specified URI.', 400)
  }
  if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400)
  return { bucket: rawBucket, key }
}

function parseBucketRequest(method: string, bucket: string, query: URLSearchParams): S3Operation {
  const encodingType = encodingTypeOf(query.get('encoding-type'))
  const str = (name: string) => query.get(name) ?? undefined
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('versions'))
      return {
        op: 'ListObjectVersions',
        bucket,
        prefix: str('prefix'),
        delimiter: str('delimiter'),
        keyMarker: nonEmpty(str('key-marker')),
        versionIdMarker: nonEmpty(str('version-id-marker')),
        maxKeys: intParam(query.get('max-keys'), 'max-keys', 0, Number.MAX_SAFE_INTEGER, 1000) ?? 1000,
        maxKeysSent: str('max-keys'),
        encodingType,
      }
    if (query.has('uploads'))
      return {
        op: 'ListMultipartUploads',
        bucket,
        prefix: str('prefix'),
        delimiter: str('delimiter'),
        keyMarker: nonEmpty(str('key-marker')),
        uploadIdMarker: nonEmpty(str('upload-id-marker')),
        maxUploads: intParam(query.get('max-uploads'), 'max-uploads', 0, Number.MAX_SAFE_INTEGER, 1000) ?? 1000,
        encodingType,
      }
    const sub = firstSubresource(query)
    if (method === 'GET' && sub === 'location') return { op: 'GetBucketLocation', bucket }
    if (method === 'GET' && sub === 'versioning') return { op: 'GetBucketVersioning', bucket }
    if (method === 'GET' && sub) return { op: 'Unsupported', action: `s3:GetBucket${capitalize(sub)}`, bucket }
    if (method === 'HEAD') return { op: 'HeadBucket', bucket }
    const version = query.get('list-type') === '2' ? 2 : 1
    return {
      op: 'ListObjects',
      bucket,
      version,
      prefix: str('prefix'),
      delimiter: str('delimiter'),
      maxKeys: intParam(query.get('max-keys'), 'max-keys', 0, Number.MAX_SAFE_INTEGER, 1000) ?? 1000,
      maxKeysSent: str('max-keys'),
      marker: version === 1 ? nonEmpty(str('marker')) : undefined,
      continuationToken: version === 2 ? str('continuation-token') : undefined,
      startAfter: version === 2 ? nonEmpty(str('start-after')) : undefined,
      encodingType,
      fetchOwner: version === 1 || query.get('fetch-owner') === 'true',
    }
  }
  if (method === 'PUT') {
    const sub = firstSubresource(query)
    if (sub === 'versioning') return { op: 'PutBucketVersioning', bucket }
    if (sub) return { op: 'Unsupported', action: `s3:PutBucket${capitalize(sub)}`, bucket }
    return { op: 'CreateBucket', bucket }
  }
  if (method === 'POST' && query.has('delete')) return { op: 'DeleteObjects', bucket }
  if (method === 'DELETE') {
    const sub = firstSubresource(query)
    return { op: 'Unsupported', action: sub ? `s3:DeleteBucket${capitalize(sub)}` : 's3:DeleteBucket', bucket }
  }
  return { op: 'Unsupported', action: `s3:${method}Bucket`, bucket }
}

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

function readConditions(ifMatch?: string, ifNoneMatch?: string, ifModifiedSince?: string, ifUnmodifiedSince?: string): ReadConditions {
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

function writeConditions(h: RawS3Request['headers']): WriteConditions {
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
function bodyOf(h: RawS3Request['headers'], wholeObject: boolean): { integrity: BodyIntegrity; framing: BodyFraming } {
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

function checksumAlgorithmOf(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined
  const upper = value.toUpperCase() as ChecksumAlgorithm
  if (!CHECKSUM_ALGORITHMS.includes(upper)) throw invalid('Checksum algorithm provided is unsupported.', 'x-amz-checksum-algorithm')
  return upper
}

function aclOf(h: RawS3Request['headers']): OwnerOnlyAcl | undefined {
  if (Object.keys(h).some((name) => name.startsWith('x-amz-grant-'))) throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400)
  const acl = h['x-amz-acl']
  if (acl === undefined) return undefined
  // Production buckets have ACLs disabled (BucketOwnerEnforced): S3 accepts only ACLs that
  // change nothing there — bucket-owner-full-control, or its equivalent for a writer in the
  // bucket owner's own account (as the identity pool's role is), `private` (rclone's default).
  const canned = acl.trim()
  if (canned !== 'bucket-owner-full-control' && canned !== 'private') throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400)
  return canned
}

function encodingTypeOf(value: string | null): 'url' | undefined {
  if (value === null) return undefined
  if (value !== 'url') throw invalid('Invalid Encoding Method specified in Request', 'encoding-type')
  return 'url'
}

function intParam(value: string | null | undefined, name: string, min: number, max: number, clampTo?: number): number | undefined {
  if (value === null || value === undefined) return undefined
  if (!/^\d+$/.test(value.trim())) throw invalid(`Provided ${name} not an integer or within integer range`, name)
  const n = Number(value)
  if (n < min || (clampTo === undefined && n > max)) throw invalid(`Argument ${name} must be an integer between ${min} and ${max}`, name)
  return clampTo === undefined ? n : Math.min(n, clampTo)
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === '' ? undefined : s
}

function firstSubresource(query: URLSearchParams): string | undefined {
  for (const k of query.keys()) if (!LIST_PARAMS.has(k) && !PRESIGN_PARAM.test(k)) return k
  return undefined
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
