/**
 * ListObjects, ListObjectVersions and ListMultipartUploads over one shared walk. The walk
 * reads records in LevelDB order (UTF-8 binary order of keys), rolls keys up into common
 * prefixes, and after emitting a prefix seeks straight past every key under it, so a folder
 * of a million keys costs one step; common prefixes count towards the page size, as on S3.
 */
import { type Context, requireBucket } from './context.js'
import { prefixEnd, recordKey, type Store, TAG, type UploadRecord, type VersionRecord } from './store.js'
import {
  type ListObjectsInput,
  type ListObjectsResult,
  type ListUploadsInput,
  type ListUploadsResult,
  type ListVersionsInput,
  type ListVersionsResult,
  type MultipartUpload,
  S3Error,
} from './types.js'
import { toObjectVersion } from './versions.js'

const utf8 = (text: string) => Buffer.from(text, 'utf8')
const NUL = Buffer.from([0])

interface WalkOptions {
  prefix: string
  delimiter?: string
  start?: { gt?: Buffer; gte?: Buffer }
  max: number
  /** Common prefixes up to and including this one were returned by an earlier page. */
  prefixesDoneUpTo?: string
}

interface Visit<T> {
  key: string
  suffix?: string
  value: T
}

type Last = { key: string; suffix?: string; isPrefix: boolean }

/**
 * Walks `space` (`<tag> NUL <bucket> NUL`), whose records are `<key>` or `<key> NUL <suffix>`.
 * `onItem` gets each record that fits on the page.
 */
async function walk<T>(
  store: Store,
  space: Buffer,
  options: WalkOptions,
  onItem: (visit: Visit<T>) => void,
): Promise<{ commonPrefixes: string[]; truncated: boolean; last?: Last }> {
  const commonPrefixes: string[] = []
  // S3 answers max-keys 0 with an empty page that is not truncated: a truncated empty page has no
  // marker to continue from (https://github.com/versity/versitygw/issues/248, checked against S3).
  if (options.max === 0) return { commonPrefixes, truncated: false }
  let count = 0
  let last: Last | undefined
  const doneUpTo = options.prefixesDoneUpTo === undefined ? undefined : utf8(options.prefixesDoneUpTo)
  const iterator = store.iterator(Buffer.concat([space, utf8(options.prefix)]), options.start)
  // Entries are read in batches sized to the page (one native call each, not one promise per
  // record: a 1,000-key page cost ~15 ms in next() calls alone).
  let batch: [Buffer, unknown][] = []
  let pos = 0
  try {
    for (;;) {
      if (pos === batch.length) {
        batch = (await iterator.nextv(Math.min(options.max - count + 1, 1000))) as [Buffer, unknown][]
        pos = 0
        if (batch.length === 0) return { commonPrefixes, truncated: false, last }
      }
      const [recordKeyBytes, value] = batch[pos++] as [Buffer, T]
      const rest = recordKeyBytes.subarray(space.length)
      const split = rest.indexOf(0)
      const key = (split === -1 ? rest : rest.subarray(0, split)).toString('utf8')
      const suffix = split === -1 ? undefined : rest.subarray(split + 1).toString('utf8')
      if (options.delimiter) {
        const at = key.indexOf(options.delimiter, options.prefix.length)
        if (at !== -1) {
          const prefix = key.slice(0, at + options.delimiter.length)
          const prefixBytes = utf8(prefix)
          const done = doneUpTo !== undefined && Buffer.compare(prefixBytes, doneUpTo) <= 0
          if (!done) {
            if (count === options.max) return { commonPrefixes, truncated: true, last }
            commonPrefixes.push(prefix)
            count++
            last = { key: prefix, isPrefix: true }
          }
          const end = prefixEnd(Buffer.concat([space, prefixBytes]))
          // Within the batch, step over what lies under the prefix; seek only past the batch's end.
          while (pos < batch.length && Buffer.compare((batch[pos] as [Buffer, unknown])[0], end) < 0) pos++
          if (pos === batch.length) iterator.seek(end)
          continue
        }
      }
      const visit: Visit<T> = { key, value }
      if (suffix !== undefined) visit.suffix = suffix
      if (count === options.max) return { commonPrefixes, truncated: true, last }
      onItem(visit)
      count++
      last = suffix !== undefined ? { key, suffix, isPrefix: false } : { key, isPrefix: false }
    }
  } finally {
    await iterator.close()
  }
}

function checkMax(max: number, name: string): void {
  if (!Number.isInteger(max) || max < 0) throw new S3Error('InvalidArgument', `${name} must be a non-negative integer.`, 400, { ArgumentName: name })
}

export async function listObjects(ctx: Context, input: ListObjectsInput): Promise<ListObjectsResult> {
  await requireBucket(ctx, input.bucket)
  checkMax(input.maxKeys, 'max-keys')
  const space = Buffer.concat([recordKey(TAG.current, input.bucket), NUL])
  const prefix = input.prefix ?? ''
  const objects: ListObjectsResult['objects'] = []
  const options: WalkOptions = { prefix, max: Math.min(input.maxKeys, 1000) }
  if (input.delimiter) options.delimiter = input.delimiter
  if (input.after !== undefined) {
    options.start = { gt: Buffer.concat([space, utf8(input.after)]) }
    options.prefixesDoneUpTo = input.after
  }
  const walked = await walk<VersionRecord>(ctx.store, space, options, (visit) => {
    objects.push(toObjectVersion(input.bucket, visit.key, visit.value, true))
  })
  const result: ListObjectsResult = { objects, commonPrefixes: walked.commonPrefixes, isTruncated: walked.truncated }
  if (walked.last) result.lastReturned = walked.last.key
  return result
}

export async function listObjectVersions(ctx: Context, input: ListVersionsInput): Promise<ListVersionsResult> {
  await requireBucket(ctx, input.bucket)
  checkMax(input.maxKeys, 'max-keys')
  const space = Buffer.concat([recordKey(TAG.version, input.bucket), NUL])
  const options: WalkOptions = { prefix: input.prefix ?? '', max: Math.min(input.maxKeys, 1000) }
  if (input.delimiter) options.delimiter = input.delimiter
  // The key whose first record is known not to be its latest version (we start mid-key).
  let midKey: string | undefined
  if (input.keyMarker !== undefined) {
    options.prefixesDoneUpTo = input.keyMarker
    if (input.versionIdMarker !== undefined && input.versionIdMarker !== '') {
      const inverted = await ctx.store.get<string>(recordKey(TAG.versionIndex, input.bucket, input.keyMarker, input.versionIdMarker))
      if (inverted === undefined) throw new S3Error('InvalidArgument', 'Invalid version id specified', 400, { ArgumentName: 'version-id-marker' })
      options.start = { gt: Buffer.concat([space, utf8(input.keyMarker), NUL, utf8(inverted)]) }
      midKey = input.keyMarker
    } else {
      options.start = { gte: prefixEnd(Buffer.concat([space, utf8(input.keyMarker), NUL])) }
    }
  }
  const versions: ListVersionsResult['versions'] = []
  let previousKey = midKey
  const walked = await walk<VersionRecord>(ctx.store, space, options, (visit) => {
    versions.push(toObjectVersion(input.bucket, visit.key, visit.value, visit.key !== previousKey))
    previousKey = visit.key
  })
  const result: ListVersionsResult = { versions, commonPrefixes: walked.commonPrefixes, isTruncated: walked.truncated }
  if (walked.truncated && walked.last) {
    result.nextKeyMarker = walked.last.key
    const lastVersion = versions.at(-1)
    if (!walked.last.isPrefix && lastVersion) result.nextVersionIdMarker = lastVersion.versionId
  }
  return result
}

export function toMultipartUpload(bucket: string, key: string, record: UploadRecord): MultipartUpload {
  const upload: MultipartUpload = { bucket, key, uploadId: record.uploadId, initiated: new Date(record.initiated), headers: record.headers }
  if (record.checksum) upload.checksum = record.checksum
  return upload
}

export async function listMultipartUploads(ctx: Context, input: ListUploadsInput): Promise<ListUploadsResult> {
  await requireBucket(ctx, input.bucket)
  checkMax(input.maxUploads, 'max-uploads')
  const space = Buffer.concat([recordKey(TAG.upload, input.bucket), NUL])
  const options: WalkOptions = { prefix: input.prefix ?? '', max: Math.min(input.maxUploads, 1000) }
  if (input.delimiter) options.delimiter = input.delimiter
  if (input.keyMarker !== undefined) {
    options.prefixesDoneUpTo = input.keyMarker
    options.start = input.uploadIdMarker
      ? { gt: Buffer.concat([space, utf8(input.keyMarker), NUL, utf8(input.uploadIdMarker)]) }
      : { gte: prefixEnd(Buffer.concat([space, utf8(input.keyMarker), NUL])) }
  }
  const uploads: MultipartUpload[] = []
  const walked = await walk<UploadRecord>(ctx.store, space, options, (visit) => {
    uploads.push(toMultipartUpload(input.bucket, visit.key, visit.value))
  })
  const result: ListUploadsResult = { uploads, commonPrefixes: walked.commonPrefixes, isTruncated: walked.truncated }
  if (walked.truncated && walked.last) {
    result.nextKeyMarker = walked.last.key
    const lastUpload = uploads.at(-1)
    if (!walked.last.isPrefix && lastUpload) result.nextUploadIdMarker = lastUpload.uploadId
  }
  return result
}
