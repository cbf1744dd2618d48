/**
 * S3's conditional requests and ranges as pure functions over a resolved version.
 * Read precedence (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html):
 * If-Match decides alone when present (so If-Match true + If-Unmodified-Since false
 * proceeds); otherwise If-Unmodified-Since. Then If-None-Match decides alone when present;
 * otherwise If-Modified-Since.
 */
import { unquote } from './checksums.js'
import { type ByteRange, type ReadConditions, S3Error, type WriteConditions } from './types.js'

interface Comparable {
  etag: string
  lastModified: Date | number
}

const seconds = (date: Date | number) => Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000)

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((candidate) => candidate.trim() === '*' || unquote(candidate) === unquote(etag))
}

/**
 * Throws PreconditionFailed (412) or NotModified (304). A copy's source conditions fail with
 * 412 in every case (`forCopySource`), as CopyObject does.
 */
export function checkReadConditions(version: Comparable, conditions: ReadConditions | undefined, forCopySource = false): void {
  if (!conditions) return
  const failed = () => new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, preconditionDetail(conditions))
  const notModified = () => (forCopySource ? failed() : new S3Error('NotModified', 'Not Modified', 304))
  if (conditions.ifMatch !== undefined) {
    if (!etagMatches(conditions.ifMatch, version.etag)) throw failed()
  } else if (conditions.ifUnmodifiedSince && seconds(version.lastModified) > seconds(conditions.ifUnmodifiedSince)) {
    throw failed()
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagMatches(conditions.ifNoneMatch, version.etag)) throw notModified()
  } else if (conditions.ifModifiedSince && seconds(version.lastModified) <= seconds(conditions.ifModifiedSince)) {
    throw notModified()
  }
}

function preconditionDetail(conditions: ReadConditions): Record<string, string> {
  if (conditions.ifMatch !== undefined) return { Condition: 'If-Match' }
  if (conditions.ifUnmodifiedSince) return { Condition: 'If-Unmodified-Since' }
  return { Condition: 'If-None-Match' }
}

/**
 * Conditional writes, checked under the key's lock against the current version
 * (`undefined` when there is none or the latest is a delete marker).
 */
export function checkWriteConditions(current: Comparable | undefined, key: string, conditions: WriteConditions | undefined): void {
  if (!conditions) return
  if (conditions.ifNoneMatch === '*' && current)
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: 'If-None-Match' })
  if (conditions.ifMatch !== undefined) {
    if (!current) throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key })
    if (!etagMatches(conditions.ifMatch, current.etag))
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: 'If-Match' })
  }
}

/** The inclusive range to serve, or `undefined` for the whole body (a range S3 would ignore). */
export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } | undefined {
  if (!range) return undefined
  const invalid = () =>
    new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, { ActualObjectSize: String(size), RangeRequested: describe(range) })
  if ('suffix' in range) {
    if (range.suffix <= 0) throw invalid()
    // On an empty body a non-zero suffix is the one satisfiable range (RFC 9110 §14.1.2) and S3
    // answers it with 200 and the empty body, not 416
    // (https://github.com/apache/arrow-rs-object-store/issues/846); bytes=0- stays 416.
    if (size === 0) return undefined
    return { start: Math.max(0, size - range.suffix), end: size - 1 }
  }
  if (range.end !== undefined && range.end < range.start) return undefined
  if (range.start >= size) throw invalid()
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) }
}

function describe(range: ByteRange): string {
  return 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end ?? ''}`
}
