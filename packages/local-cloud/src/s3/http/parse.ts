/**
 * Parses an S3 REST request (path-style) ONCE into a typed operation (`operations.ts`). The
 * gateway authorizes that object (`authorizations.ts`) and executes that same object
 * (`execute.ts`): nothing downstream re-reads the raw path, query or headers, so what is
 * authorized is what is executed.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import type { ChecksumType } from '../engine/types.js'
import { S3Error } from '../engine/types.js'
import {
  aclOf,
  BUCKET_NAME,
  bodyOf,
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOf,
  invalid,
  objectHeaders,
  parseCopySource,
  parseRange,
  readConditions,
  writeConditions,
} from './header-fields.js'
import type { RawS3Request, S3Operation } from './operations.js'

export { objectHeaders, parseCopySource, parseRange } from './header-fields.js'
export type { BodyFraming, CopySource, ObjectOperation, RawS3Request, S3Operation } from './operations.js'

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
