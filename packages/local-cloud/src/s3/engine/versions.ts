/**
 * A key's version history as LevelDB records: `V` records newest first, an `I` index from
 * versionId to its `V` record, and a `C` copy of the current version for listing. Reading
 * the history is async; turning a change into batch operations is sync, so the caller can
 * take the commit sequence number and commit in the same tick (events then reach listeners
 * in sequence order).
 */
import { randomBytes } from 'node:crypto'
import { invertedSeq, type Operation, recordKey, type Store, TAG, type VersionRecord } from './store.js'
import type { ObjectVersion } from './types.js'

export interface History {
  latest?: VersionRecord
  second?: VersionRecord
  /** The `'null'` version, wherever it sits in the history. */
  nullVersion?: VersionRecord
}

export function newVersionId(): string {
  // S3's version ids are opaque URL-safe strings of 32 characters.
  return randomBytes(24).toString('base64url')
}

export function versionKey(bucket: string, key: string, record: Pick<VersionRecord, 'seq'>): Buffer {
  return recordKey(TAG.version, bucket, key, invertedSeq(record.seq))
}

export async function loadHistory(store: Store, bucket: string, key: string): Promise<History> {
  const history: History = {}
  const prefix = Buffer.concat([recordKey(TAG.version, bucket, key), Buffer.from([0])])
  let index = 0
  for await (const [, record] of store.entries<VersionRecord>(prefix)) {
    if (index === 0) history.latest = record
    else history.second = record
    if (++index === 2) break
  }
  history.nullVersion = await findVersion(store, bucket, key, 'null')
  return history
}

export async function findVersion(store: Store, bucket: string, key: string, versionId: string): Promise<VersionRecord | undefined> {
  const inverted = await store.get<string>(recordKey(TAG.versionIndex, bucket, key, versionId))
  if (inverted === undefined) return undefined
  return store.get<VersionRecord>(recordKey(TAG.version, bucket, key, inverted))
}

export interface Change {
  ops: Operation[]
  /** Body files no record references once the change is committed. */
  freedBlobs: string[]
}

/** Adds `record` as the newest version; a `'null'` record replaces the existing null version. */
export function addVersion(bucket: string, key: string, history: History, record: VersionRecord, now: number): Change {
  const ops: Operation[] = []
  const freedBlobs: string[] = []
  const replaced = record.versionId === 'null' ? history.nullVersion : undefined
  if (replaced) {
    ops.push({ type: 'del', key: versionKey(bucket, key, replaced) })
    if (replaced.blob) freedBlobs.push(replaced.blob)
  }
  const previous = history.latest
  if (previous && previous.seq !== replaced?.seq && previous.noncurrentSince === undefined)
    ops.push({ type: 'put', key: versionKey(bucket, key, previous), value: { ...previous, noncurrentSince: now } })
  ops.push({ type: 'put', key: versionKey(bucket, key, record), value: record })
  ops.push({ type: 'put', key: recordKey(TAG.versionIndex, bucket, key, record.versionId), value: invertedSeq(record.seq) })
  const current = recordKey(TAG.current, bucket, key)
  ops.push(record.isDeleteMarker ? { type: 'del', key: current } : { type: 'put', key: current, value: record })
  return { ops, freedBlobs }
}

/** Removes one version for good; when it was the latest, the next one becomes current. */
export async function removeVersion(store: Store, bucket: string, key: string, record: VersionRecord): Promise<Change> {
  const history = await loadHistory(store, bucket, key)
  const ops: Operation[] = [
    { type: 'del', key: versionKey(bucket, key, record) },
    { type: 'del', key: recordKey(TAG.versionIndex, bucket, key, record.versionId) },
  ]
  if (history.latest?.seq === record.seq) {
    const next = history.second
    const current = recordKey(TAG.current, bucket, key)
    if (next) {
      const { noncurrentSince: _, ...promoted } = next
      ops.push({ type: 'put', key: versionKey(bucket, key, next), value: promoted })
      ops.push(next.isDeleteMarker ? { type: 'del', key: current } : { type: 'put', key: current, value: promoted })
    } else {
      ops.push({ type: 'del', key: current })
    }
  }
  return { ops, freedBlobs: record.blob ? [record.blob] : [] }
}

export function toObjectVersion(bucket: string, key: string, record: VersionRecord, isLatest: boolean): ObjectVersion {
  const version: ObjectVersion = {
    bucket,
    key,
    versionId: record.versionId,
    isDeleteMarker: record.isDeleteMarker,
    isLatest,
    etag: record.etag,
    size: record.size,
    lastModified: new Date(record.lastModified),
    headers: record.headers,
  }
  if (record.checksum) version.checksum = record.checksum
  if (record.parts) version.parts = record.parts
  return version
}
