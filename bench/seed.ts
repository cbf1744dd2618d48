/**
 * Large folders for benchmarks (10,000 and 100,000 files), written straight into the local
 * cloud's S3 engine, under the gateway, so seeding costs no signatures or HTTP, and a folder is
 * seeded once and reused by every round. Listings through the gateway see them as any others.
 *
 * `seedStoppedCloud` is the bulk path: with the cloud stopped, one body is written through the
 * engine and every other object is a metadata record pointing at that body, committed thousands
 * at a time in the engine's own record format (`addVersion`). Through `engine.putObject` each
 * object costs a body file, two fsyncs, a commit and a change-feed append, about 2 ms of CPU on
 * this machine; 100,000 of them took longer than the whole run may. Seeded folders are read-only:
 * deleting one of their objects would free the body they all share.
 */
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { LocalCloud } from '@whimsy/local-cloud'
import { createS3Engine } from '../packages/local-cloud/src/s3/engine/engine.js'
import { type BucketRecord, type Operation, recordKey, Store, TAG, type VersionRecord } from '../packages/local-cloud/src/s3/engine/store.js'
import { addVersion, newVersionId } from '../packages/local-cloud/src/s3/engine/versions.js'

export interface SeedOptions {
  /** Key prefix, e.g. `${identityId}/big/` (ends in `/` for a folder). */
  prefix: string
  count: number
  /** File name of the i-th object; default `f000042.txt`. */
  name?: (i: number) => string
  body?: Buffer
  contentType?: string
  /** Writes in flight at once (`seedObjects` only). */
  parallel?: number
}

const defaultName = (i: number) => `f${String(i).padStart(6, '0')}.txt`

/** Seeds through the running engine's `putObject`, one object at a time: for small folders, and bodies of their own. */
export async function seedObjects(cloud: LocalCloud, options: SeedOptions): Promise<void> {
  const body = options.body ?? Buffer.from('x')
  const name = options.name ?? defaultName
  let next = 0
  await Promise.all(
    Array.from({ length: options.parallel ?? 16 }, async () => {
      while (next < options.count) {
        const i = next++
        await cloud.engine.putObject({
          bucket: cloud.config.bucket,
          key: `${options.prefix}${name(i)}`,
          body: Readable.from([body]),
          headers: { contentType: options.contentType ?? 'text/plain; charset=utf-8', metadata: {} },
          integrity: { expectedLength: body.length },
        })
      }
    }),
  )
}

/** Records per LevelDB batch: large enough that commits are few, small enough to stay a few MB. */
const BATCH = 5000

/**
 * Seeds `folders` into the data directory of a stopped local cloud (it must not be running: the
 * engine's store admits one process). Every object has the same body (`folders[0].body`, default `x`).
 */
export async function seedStoppedCloud(dataDir: string, region: string, bucket: string, folders: SeedOptions[]): Promise<void> {
  const first = folders[0]
  if (!first) return
  const dir = join(dataDir, 's3')
  const body = first.body ?? Buffer.from('x')
  const templateKey = `${first.prefix}${(first.name ?? defaultName)(0)}`
  // One object the ordinary way: its body file and record are the template of all the others.
  const engine = await createS3Engine({ dir, region })
  try {
    await engine.putObject({
      bucket,
      key: templateKey,
      body: Readable.from([body]),
      headers: { contentType: first.contentType ?? 'text/plain; charset=utf-8', metadata: {} },
      integrity: { expectedLength: body.length },
    })
  } finally {
    await engine.close()
  }
  const store = await Store.open(join(dir, 'meta'))
  try {
    const template = await store.get<VersionRecord>(recordKey(TAG.current, bucket, templateKey))
    const versioned = (await store.get<BucketRecord>(recordKey(TAG.bucket, bucket)))?.versioning === 'Enabled'
    if (!template?.blob) throw new Error(`seeding: the template object ${templateKey} was not stored`)
    const now = Date.now()
    let ops: Operation[] = []
    const commits: Promise<void>[] = []
    for (const folder of folders) {
      const name = folder.name ?? defaultName
      for (let i = 0; i < folder.count; i++) {
        const key = `${folder.prefix}${name(i)}`
        if (key === templateKey) continue
        const record: VersionRecord = { ...template, versionId: versioned ? newVersionId() : 'null', lastModified: now, seq: store.nextSeq() }
        ops.push(...addVersion(bucket, key, {}, record, now).ops)
        if (ops.length >= BATCH * 3) {
          commits.push(store.commit(ops))
          ops = []
        }
      }
    }
    if (ops.length) commits.push(store.commit(ops))
    await Promise.all(commits)
    // LevelDB compacts hundreds of thousands of fresh records in the background for a minute or
    // more; done here, it is part of the seeding instead of competing with the rows measured next.
    await store.db.compactRange(Buffer.from([0]), Buffer.from([0xff]))
  } finally {
    await store.close()
  }
}
