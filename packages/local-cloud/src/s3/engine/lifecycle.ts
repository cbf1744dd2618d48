/**
 * The lifecycle rules a production bucket would carry, applied to the local engine:
 * NoncurrentVersionExpiration (NoncurrentDays, NewerNoncurrentVersions), expired object
 * delete markers, and AbortIncompleteMultipartUpload. Keeping the newest M noncurrent
 * versions whatever their age means a stolen session writing junk cannot flush history out.
 */
import { lockName } from './context.js'
import { abortMultipartUpload, type MultipartContext } from './multipart.js'
import { type Operation, recordKey, recordParts, TAG, type UploadRecord, type VersionRecord } from './store.js'
import type { LifecycleRules } from './types.js'
import { versionKey } from './versions.js'

const DAY = 86_400_000
const NUL = Buffer.from([0])

/** Which versions of one key (newest first) the rules expire as of `now`. */
export function expiredVersions(versions: VersionRecord[], rules: LifecycleRules, now: number): VersionRecord[] {
  const expired: VersionRecord[] = []
  for (const [index, version] of versions.entries()) {
    if (index === 0) continue
    const newerNoncurrent = index - 1
    if (newerNoncurrent < rules.newerNoncurrentVersions) continue
    if (version.noncurrentSince !== undefined && now - version.noncurrentSince >= rules.noncurrentDays * DAY) expired.push(version)
  }
  const latest = versions[0]
  if (latest?.isDeleteMarker && expired.length === versions.length - 1) expired.push(latest)
  return expired
}

async function keysWithHistory(ctx: MultipartContext): Promise<{ bucket: string; key: string }[]> {
  // One entry per key with more than one version or a delete marker: the only keys rules can touch.
  const candidates: { bucket: string; key: string }[] = []
  let previous: string | undefined
  let count = 0
  let first: VersionRecord | undefined
  const flush = () => {
    if (previous === undefined) return
    if (count > 1 || first?.isDeleteMarker) {
      const [bucket, key] = JSON.parse(previous) as [string, string]
      candidates.push({ bucket, key })
    }
  }
  for await (const [recordKeyBytes, record] of ctx.store.entries<VersionRecord>(Buffer.concat([Buffer.from(TAG.version), NUL]))) {
    const [bucket, key] = recordParts(recordKeyBytes)
    const id = JSON.stringify([bucket, key])
    if (id !== previous) {
      flush()
      previous = id
      count = 0
      first = record
    }
    count++
  }
  flush()
  return candidates
}

async function expireKey(ctx: MultipartContext, bucket: string, key: string, rules: LifecycleRules, now: Date): Promise<number> {
  const { removed, freed } = await ctx.locks.run(lockName(bucket, key), async () => {
    const versions: VersionRecord[] = []
    const prefix = Buffer.concat([recordKey(TAG.version, bucket, key), NUL])
    for await (const [, record] of ctx.store.entries<VersionRecord>(prefix)) versions.push(record)
    const expired = expiredVersions(versions, rules, now.getTime())
    if (expired.length === 0) return { removed: 0, freed: [] as string[] }
    const ops: Operation[] = expired.flatMap((v): Operation[] => [
      { type: 'del', key: versionKey(bucket, key, v) },
      { type: 'del', key: recordKey(TAG.versionIndex, bucket, key, v.versionId) },
    ])
    const seqs = expired.map(() => ctx.store.nextSeq())
    await ctx.store.commit(ops, () => {
      for (const [i, v] of expired.entries()) ctx.events.publish('LifecycleExpiration:Delete', bucket, key, { versionId: v.versionId }, seqs[i]!, now)
    })
    return { removed: expired.length, freed: expired.flatMap((v) => (v.blob ? [v.blob] : [])) }
  })
  await ctx.blobs.remove(freed)
  return removed
}

export async function runLifecycle(ctx: MultipartContext, rules: LifecycleRules, now: Date): Promise<{ expiredVersions: number; abortedUploads: number }> {
  let expired = 0
  for (const { bucket, key } of await keysWithHistory(ctx)) expired += await expireKey(ctx, bucket, key, rules, now)
  const stale: { bucket: string; key: string; uploadId: string }[] = []
  for await (const [recordKeyBytes, upload] of ctx.store.entries<UploadRecord>(Buffer.concat([Buffer.from(TAG.upload), NUL]))) {
    if (now.getTime() - upload.initiated < rules.abortIncompleteMultipartDays * DAY) continue
    const [bucket, key] = recordParts(recordKeyBytes)
    stale.push({ bucket: bucket!, key: key!, uploadId: upload.uploadId })
  }
  let aborted = 0
  for (const upload of stale) {
    const done = await abortMultipartUpload(ctx, upload.bucket, upload.key, upload.uploadId).then(
      () => true,
      () => false,
    )
    if (done) aborted++
  }
  return { expiredVersions: expired, abortedUploads: aborted }
}
