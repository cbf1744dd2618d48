/**
 * What every operation of the engine shares: the store, the body files, the key locks, the
 * clock and the event hub, plus the steps every write ends with (check conditions under the
 * key's lock, take a sequence number, commit, publish, free replaced bodies).
 */
import type { Blobs } from './blobs.js'
import { checkWriteConditions } from './conditions.js'
import type { EventName, Events } from './events.js'
import type { KeyLock } from './locks.js'
import { type BucketRecord, type Operation, recordKey, type Store, TAG, type VersionRecord } from './store.js'
import { S3Error, type WriteConditions } from './types.js'
import { addVersion, type History, loadHistory, newVersionId } from './versions.js'

export interface Context {
  store: Store
  blobs: Blobs
  locks: KeyLock
  events: Events
  now: () => Date
}

export async function requireBucket(ctx: Context, bucket: string): Promise<BucketRecord> {
  const record = await ctx.store.get<BucketRecord>(recordKey(TAG.bucket, bucket))
  if (!record) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket })
  return record
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Any key S3 accepts, except NUL (the store's separator) and text that is not valid Unicode. */
export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new S3Error('InvalidArgument', 'The key must not be empty.', 400, { ArgumentName: 'key' })
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400)
  if (key.includes('\u0000')) throw new S3Error('InvalidArgument', 'Object keys may not contain NUL.', 400, { ArgumentName: 'key' })
  if (LONE_SURROGATE.test(key)) throw new S3Error('InvalidArgument', 'Object keys must be valid UTF-8.', 400, { ArgumentName: 'key' })
}

export const lockName = (bucket: string, key: string) => `${bucket}\u0000${key}`

export function currentOf(history: History): VersionRecord | undefined {
  return history.latest && !history.latest.isDeleteMarker ? history.latest : undefined
}

export interface NewVersion {
  isDeleteMarker: boolean
  etag: string
  size: number
  headers: VersionRecord['headers']
  checksum?: VersionRecord['checksum']
  parts?: VersionRecord['parts']
  blob?: string
}

/**
 * Commits a new latest version of `key` under its lock: write conditions are checked against
 * the current version, then the record, `extraOps` and the sequence number go in one batch.
 * `guard` may throw to refuse at the last moment (e.g. an upload aborted meanwhile), and may
 * return more operations, read under the lock so nothing can slip in before the commit.
 */
export async function commitVersion(
  ctx: Context,
  bucket: string,
  key: string,
  version: NewVersion,
  options: {
    conditions?: WriteConditions
    eventName: EventName
    extraOps?: Operation[]
    guard?: () => Promise<Operation[] | undefined>
  },
): Promise<VersionRecord> {
  const { record, freedBlobs } = await ctx.locks.run(lockName(bucket, key), async () => {
    const bucketRecord = await requireBucket(ctx, bucket)
    const history = await loadHistory(ctx.store, bucket, key)
    checkWriteConditions(currentOf(history), key, options.conditions)
    const guardOps = (await options.guard?.()) ?? []
    const now = ctx.now()
    const seq = ctx.store.nextSeq()
    const record: VersionRecord = {
      ...version,
      versionId: bucketRecord.versioning === 'Enabled' ? newVersionId() : 'null',
      lastModified: now.getTime(),
      seq,
    }
    const change = addVersion(bucket, key, history, record, now.getTime())
    await ctx.store.commit([...change.ops, ...(options.extraOps ?? []), ...guardOps], () =>
      ctx.events.publish(
        options.eventName,
        bucket,
        key,
        record.isDeleteMarker ? { versionId: record.versionId } : { size: record.size, etag: record.etag, versionId: record.versionId },
        seq,
        now,
      ),
    )
    return { record, freedBlobs: change.freedBlobs }
  })
  await ctx.blobs.remove(freedBlobs)
  return record
}
