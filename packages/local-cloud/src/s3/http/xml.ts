/**
 * S3's XML, both ways: the request bodies the front reads (DeleteObjects, CompleteMultipartUpload,
 * PutBucketVersioning) and the answers it writes. Answers are built by hand from small element
 * helpers because S3's documents are flat and ordered, and keys need XML 1.0's escapes for
 * control characters, which a generic builder does not give.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (and the other operations' pages)
 */
import { XMLParser } from 'fast-xml-parser'
import type { ListObjectsResult, ListPartsResult, ListUploadsResult, ListVersionsResult, ObjectVersion } from '../engine/types.js'
import { S3Error } from '../engine/types.js'

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/'
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
export const OWNER = { id: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', displayName: 'whimsy-local' }

/** Escapes text for XML 1.0; characters XML cannot carry literally become character references, as S3 writes them. */
const NEEDS_ESCAPE = /[<>&'"\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/
const NAMED: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }

export function escapeXml(s: string): string {
  // Most text needs no escape; a listing escapes thousands of elements, so test before replacing.
  if (!NEEDS_ESCAPE.test(s)) return s
  return s.replace(/[<>&'"\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => {
    return NAMED[c] ?? `&#x${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()};`
  })
}

type Value = string | number | boolean | Date | undefined
const el = (name: string, value: Value): string =>
  value === undefined ? '' : `<${name}>${escapeXml(value instanceof Date ? value.toISOString() : String(value))}</${name}>`
const doc = (root: string, inner: string) => `${DECLARATION}<${root} xmlns="${NS}">${inner}</${root}>`

/** S3's `encoding-type=url`: percent-encoding (a space is `%20`, so any URL decoder gets the key back); `/` stays readable. */
export function urlEncodeKey(s: string): string {
  return encodeURIComponent(s).replace(/%2F/g, '/')
}

export function errorXml(code: string, message: string, requestId: string, details: Record<string, string> = {}): string {
  const extra = Object.entries(details)
    .map(([k, v]) => el(k, v))
    .join('')
  return `${DECLARATION}<Error>${el('Code', code)}${el('Message', message)}${extra}${el('RequestId', requestId)}<HostId>${escapeXml(requestId)}</HostId></Error>`
}

const owner = () => `<Owner>${el('ID', OWNER.id)}${el('DisplayName', OWNER.displayName)}</Owner>`

function checksumElements(v: Pick<ObjectVersion, 'checksum'>): string {
  return v.checksum ? `${el('ChecksumAlgorithm', v.checksum.algorithm)}${el('ChecksumType', v.checksum.type)}` : ''
}

export interface ListObjectsXmlInput {
  version: 1 | 2
  bucket: string
  prefix?: string
  delimiter?: string
  maxKeys: number
  encode: boolean
  marker?: string
  nextMarker?: string
  continuationToken?: string
  nextContinuationToken?: string
  startAfter?: string
  fetchOwner: boolean
  result: ListObjectsResult
}

export function listObjectsXml(i: ListObjectsXmlInput): string {
  const enc = (s: string | undefined) => (s === undefined ? undefined : i.encode ? urlEncodeKey(s) : s)
  const contents = i.result.objects
    .map(
      (o) =>
        `<Contents>${el('Key', enc(o.key))}${el('LastModified', o.lastModified)}${el('ETag', o.etag)}${checksumElements(o)}${el('Size', o.size)}${el('StorageClass', 'STANDARD')}${i.fetchOwner ? owner() : ''}</Contents>`,
    )
    .join('')
  const prefixes = i.result.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('')
  const head =
    i.version === 2
      ? `${el('Name', i.bucket)}${el('Prefix', enc(i.prefix ?? ''))}${el('Delimiter', enc(i.delimiter))}${el('MaxKeys', i.maxKeys)}${el('EncodingType', i.encode ? 'url' : undefined)}${el('KeyCount', i.result.objects.length + i.result.commonPrefixes.length)}${el('ContinuationToken', i.continuationToken)}${el('NextContinuationToken', i.nextContinuationToken)}${el('StartAfter', enc(i.startAfter))}${el('IsTruncated', i.result.isTruncated)}`
      : `${el('Name', i.bucket)}${el('Prefix', enc(i.prefix ?? ''))}${el('Marker', enc(i.marker ?? ''))}${el('NextMarker', enc(i.nextMarker))}${el('Delimiter', enc(i.delimiter))}${el('MaxKeys', i.maxKeys)}${el('EncodingType', i.encode ? 'url' : undefined)}${el('IsTruncated', i.result.isTruncated)}`
  return doc('ListBucketResult', `${head}${contents}${prefixes}`)
}

export function listVersionsXml(
  i: { bucket: string; prefix?: string; delimiter?: string; keyMarker?: string; versionIdMarker?: string; maxKeys: number; encode: boolean },
  r: ListVersionsResult,
): string {
  const enc = (s: string | undefined) => (s === undefined ? undefined : i.encode ? urlEncodeKey(s) : s)
  const entries = r.versions
    .map((v) => {
      const common = `${el('Key', enc(v.key))}${el('VersionId', v.versionId)}${el('IsLatest', v.isLatest)}${el('LastModified', v.lastModified)}`
      return v.isDeleteMarker
        ? `<DeleteMarker>${common}${owner()}</DeleteMarker>`
        : `<Version>${common}${el('ETag', v.etag)}${checksumElements(v)}${el('Size', v.size)}${el('StorageClass', 'STANDARD')}${owner()}</Version>`
    })
    .join('')
  const prefixes = r.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('')
  return doc(
    'ListVersionsResult',
    `${el('Name', i.bucket)}${el('Prefix', enc(i.prefix ?? ''))}${el('KeyMarker', enc(i.keyMarker ?? ''))}${el('VersionIdMarker', i.versionIdMarker ?? '')}${el('NextKeyMarker', enc(r.nextKeyMarker))}${el('NextVersionIdMarker', r.nextVersionIdMarker)}${el('Delimiter', enc(i.delimiter))}${el('MaxKeys', i.maxKeys)}${el('EncodingType', i.encode ? 'url' : undefined)}${el('IsTruncated', r.isTruncated)}${entries}${prefixes}`,
  )
}

export function listUploadsXml(
  i: { bucket: string; prefix?: string; delimiter?: string; keyMarker?: string; uploadIdMarker?: string; maxUploads: number; encode: boolean },
  r: ListUploadsResult,
): string {
  const enc = (s: string | undefined) => (s === undefined ? undefined : i.encode ? urlEncodeKey(s) : s)
  const uploads = r.uploads
    .map(
      (u) =>
        `<Upload>${el('Key', enc(u.key))}${el('UploadId', u.uploadId)}<Initiator>${el('ID', OWNER.id)}${el('DisplayName', OWNER.displayName)}</Initiator>${owner()}${el('StorageClass', 'STANDARD')}${el('Initiated', u.initiated)}${el('ChecksumAlgorithm', u.checksum?.algorithm)}${el('ChecksumType', u.checksum?.type)}</Upload>`,
    )
    .join('')
  const prefixes = r.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('')
  return doc(
    'ListMultipartUploadsResult',
    `${el('Bucket', i.bucket)}${el('KeyMarker', enc(i.keyMarker ?? ''))}${el('UploadIdMarker', i.uploadIdMarker ?? '')}${el('NextKeyMarker', enc(r.nextKeyMarker))}${el('NextUploadIdMarker', r.nextUploadIdMarker)}${el('Prefix', enc(i.prefix ?? ''))}${el('Delimiter', enc(i.delimiter))}${el('MaxUploads', i.maxUploads)}${el('EncodingType', i.encode ? 'url' : undefined)}${el('IsTruncated', r.isTruncated)}${uploads}${prefixes}`,
  )
}

export function listPartsXml(i: { bucket: string; key: string; uploadId: string; maxParts: number; partNumberMarker?: number }, r: ListPartsResult): string {
  const parts = r.parts
    .map(
      (p) =>
        `<Part>${el('PartNumber', p.partNumber)}${el('LastModified', p.lastModified)}${el('ETag', p.etag)}${r.upload.checksum && p.checksum ? el(`Checksum${r.upload.checksum.algorithm}`, p.checksum) : ''}${el('Size', p.size)}</Part>`,
    )
    .join('')
  return doc(
    'ListPartsResult',
    `${el('Bucket', i.bucket)}${el('Key', i.key)}${el('UploadId', i.uploadId)}${el('PartNumberMarker', i.partNumberMarker ?? 0)}${el('NextPartNumberMarker', r.nextPartNumberMarker)}${el('MaxParts', i.maxParts)}${el('IsTruncated', r.isTruncated)}<Initiator>${el('ID', OWNER.id)}${el('DisplayName', OWNER.displayName)}</Initiator>${owner()}${el('StorageClass', 'STANDARD')}${el('ChecksumAlgorithm', r.upload.checksum?.algorithm)}${el('ChecksumType', r.upload.checksum?.type)}${parts}`,
  )
}

export function listBucketsXml(buckets: { name: string; created: Date }[]): string {
  const list = buckets.map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.created)}</Bucket>`).join('')
  return doc('ListAllMyBucketsResult', `${owner()}<Buckets>${list}</Buckets>`)
}

export const copyResultXml = (root: 'CopyObjectResult' | 'CopyPartResult', etag: string, lastModified: Date, checksum?: { algorithm: string; value: string }) =>
  doc(root, `${el('ETag', etag)}${el('LastModified', lastModified)}${checksum ? el(`Checksum${checksum.algorithm}`, checksum.value) : ''}`)

export const initiateUploadXml = (bucket: string, key: string, uploadId: string) =>
  doc('InitiateMultipartUploadResult', `${el('Bucket', bucket)}${el('Key', key)}${el('UploadId', uploadId)}`)

export const completeUploadXml = (location: string, bucket: string, key: string, etag: string, checksum?: { algorithm: string; type: string; value: string }) =>
  doc(
    'CompleteMultipartUploadResult',
    `${el('Location', location)}${el('Bucket', bucket)}${el('Key', key)}${el('ETag', etag)}${checksum ? `${el(`Checksum${checksum.algorithm}`, checksum.value)}${el('ChecksumType', checksum.type)}` : ''}`,
  )

export const emptyTaggingXml = () => doc('Tagging', '<TagSet></TagSet>')

export const versioningXml = (status: string | undefined) => doc('VersioningConfiguration', el('Status', status))
export const locationXml = (region: string) =>
  `${DECLARATION}<LocationConstraint xmlns="${NS}">${region === 'us-east-1' ? '' : escapeXml(region)}</LocationConstraint>`

export type DeleteOutcome =
  | { key: string; ok: true; versionId?: string; deleteMarker: boolean; deleteMarkerVersionId?: string }
  | { key: string; ok: false; versionId?: string; code: string; message: string }

export function deleteResultXml(outcomes: DeleteOutcome[], quiet: boolean, encode: boolean): string {
  const enc = (s: string) => (encode ? urlEncodeKey(s) : s)
  const inner = outcomes
    .map((o) => {
      if (!o.ok) return `<Error>${el('Key', enc(o.key))}${el('VersionId', o.versionId)}${el('Code', o.code)}${el('Message', o.message)}</Error>`
      if (quiet) return ''
      return `<Deleted>${el('Key', enc(o.key))}${el('VersionId', o.versionId)}${o.deleteMarker ? `${el('DeleteMarker', true)}${el('DeleteMarkerVersionId', o.deleteMarkerVersionId)}` : ''}</Deleted>`
    })
    .join('')
  return doc('DeleteResult', inner)
}

export interface AttributesXmlInput {
  version: ObjectVersion
  attributes: string[]
  maxParts: number
  partNumberMarker?: number
}

export function objectAttributesXml({ version, attributes, maxParts, partNumberMarker = 0 }: AttributesXmlInput): string {
  const wanted = new Set(attributes.map((a) => a.toLowerCase()))
  let inner = ''
  if (wanted.has('etag')) inner += el('ETag', version.etag.replace(/"/g, ''))
  if (wanted.has('checksum') && version.checksum)
    inner += `<Checksum>${el(`Checksum${version.checksum.algorithm}`, version.checksum.value)}${el('ChecksumType', version.checksum.type)}</Checksum>`
  if (wanted.has('objectparts') && version.parts) {
    const after = version.parts.map((p, i) => ({ ...p, n: i + 1 })).filter((p) => p.n > partNumberMarker)
    const page = after.slice(0, maxParts)
    const truncated = after.length > page.length
    inner += `<ObjectParts>${el('TotalPartsCount', version.parts.length)}${el('PartNumberMarker', partNumberMarker)}${el('NextPartNumberMarker', truncated ? page.at(-1)?.n : undefined)}${el('MaxParts', maxParts)}${el('IsTruncated', truncated)}${page
      .map(
        (p) =>
          `<Part>${el('PartNumber', p.n)}${el('Size', p.size)}${p.checksum && version.checksum ? el(`Checksum${version.checksum.algorithm}`, p.checksum) : ''}</Part>`,
      )
      .join('')}</ObjectParts>`
  }
  if (wanted.has('storageclass')) inner += el('StorageClass', 'STANDARD')
  if (wanted.has('objectsize')) inner += el('ObjectSize', version.size)
  return doc('GetObjectAttributesResponse', inner)
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // Keys may begin or end with spaces: "a.txt " is not "a.txt".
  trimValues: false,
  isArray: (name) => name === 'Object' || name === 'Part',
  // Keys may contain anything XML can carry, including what looks like an entity.
  processEntities: true,
  htmlEntities: false,
})

/**
 * Character references (`&#34;`, `&#x41;`) become the characters they name before parsing:
 * Go's encoder (rclone, the AWS SDK for Go) writes every quote in an ETag that way, and the
 * parser's own option for them also decodes HTML's entities, which XML does not have.
 */
function resolveCharacterReferences(body: string): string {
  return body.replace(/&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});/g, (ref, code: string) => {
    const point = code.startsWith('x') ? Number.parseInt(code.slice(1), 16) : Number(code)
    if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return ref
    const char = String.fromCodePoint(point)
    return char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : char
  })
}

function parseXml(body: string): Record<string, unknown> {
  try {
    return parser.parse(resolveCharacterReferences(body)) as Record<string, unknown>
  } catch {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', 400)
  }
}

const malformed = () => new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', 400)

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html: at most 1,000 entries. */
export function parseDeleteObjects(body: string): { quiet: boolean; entries: { key: string; versionId?: string; ifMatch?: string }[] } {
  const root = parseXml(body).Delete as { Object?: { Key?: unknown; VersionId?: unknown; ETag?: unknown }[]; Quiet?: unknown } | undefined
  if (!root || typeof root !== 'object') throw malformed()
  const objects = root.Object ?? []
  if (objects.length === 0 || objects.length > 1000) throw malformed()
  const entries = objects.map((o) => {
    if (typeof o !== 'object' || o === null || typeof o.Key !== 'string' || o.Key === '') throw malformed()
    return {
      key: o.Key,
      versionId: typeof o.VersionId === 'string' ? o.VersionId : undefined,
      ifMatch: typeof o.ETag === 'string' ? o.ETag : undefined,
    }
  })
  return { quiet: String(root.Quiet ?? '').trim() === 'true', entries }
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html */
export function parseCompleteUpload(body: string): { partNumber: number; etag: string; checksum?: string }[] {
  const root = parseXml(body).CompleteMultipartUpload as { Part?: Record<string, unknown>[] } | undefined
  if (!root || typeof root !== 'object' || !root.Part?.length) throw malformed()
  return root.Part.map((p) => {
    const partNumber = Number(String(p.PartNumber ?? '').trim())
    if (!Number.isInteger(partNumber) || typeof p.ETag !== 'string') throw malformed()
    const checksumKey = Object.keys(p).find((k) => k.startsWith('Checksum') && k !== 'ChecksumType')
    const checksum = checksumKey ? String(p[checksumKey]).trim() : undefined
    return { partNumber, etag: p.ETag.trim(), checksum }
  })
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html */
export function parseVersioning(body: string): 'Enabled' | 'Suspended' {
  const root = parseXml(body).VersioningConfiguration as { Status?: unknown } | undefined
  const status = typeof root?.Status === 'string' ? root.Status.trim() : ''
  if (status !== 'Enabled' && status !== 'Suspended') throw malformed()
  return status
}
