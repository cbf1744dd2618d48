/**
 * The local cloud's own S3 engine, in process.
 *
 * Written for this job because no maintained S3 server installs from npm or Debian here:
 * s3rver (the one that does) stores each key as a file path, so every difference between how
 * the gateway parsed a key and how s3rver mapped it onto the disk was a hole (encoded slashes
 * read other users' files), long segments crashed it, reads raced writes, and it has neither
 * versioning nor change events. Here keys are data (LevelDB records, `store.ts`), bodies are
 * immutable files named by random ids (`blobs.ts`), every version is kept when the bucket is
 * versioned (`versions.ts`, `lifecycle.ts`), and every committed change is published as an S3
 * event record (`events.ts`) for the change feed.
 */
import { join } from 'node:path'
import { Blobs } from './blobs.js'
import { requireBucket } from './context.js'
import { Events } from './events.js'
import { runLifecycle } from './lifecycle.js'
import { listMultipartUploads, listObjects, listObjectVersions } from './listing.js'
import { KeyLock } from './locks.js'
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  type MultipartContext,
  UploadActivity,
  uploadPart,
  uploadPartCopy,
} from './multipart.js'
import { copyObject, deleteObject, deleteObjects, getObject, headObject, putObject } from './objects.js'
import { type BucketRecord, type PartRecord, recordKey, Store, TAG, type VersionRecord } from './store.js'
import { type LifecycleRules, type S3Engine, type S3EngineOptions, S3Error } from './types.js'

export const DEFAULT_LIFECYCLE: LifecycleRules = { noncurrentDays: 30, newerNoncurrentVersions: 3, abortIncompleteMultipartDays: 7 }

const HOUR = 3_600_000
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export async function createS3Engine(options: S3EngineOptions): Promise<S3Engine> {
  if (!options?.dir) throw new TypeError('[local-cloud] [s3 engine] options.dir is required')
  if (!options.region) throw new TypeError('[local-cloud] [s3 engine] options.region is required')
  const store = await Store.open(join(options.dir, 'meta'))
  const blobs = new Blobs(options.dir)
  await blobs.init()
  await sweepUnreferenced(store, blobs)
  const ctx: MultipartContext = {
    store,
    blobs,
    locks: new KeyLock(),
    events: new Events(options.region),
    now: options.now ?? (() => new Date()),
    activity: new UploadActivity(),
  }

  const rules = options.lifecycle ?? DEFAULT_LIFECYCLE
  let running: Promise<unknown> = Promise.resolve()
  // One run at a time; a failed run is retried by the next tick rather than crashing the cloud.
  const lifecycle = (now: Date) => {
    const run = running.then(() => runLifecycle(ctx, rules, now))
    running = run.catch(() => undefined)
    return run
  }

  const engine: S3Engine = {
    async createBucket(bucket) {
      if (!BUCKET_NAME.test(bucket) || bucket.includes('..'))
        throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket })
      await ctx.locks.run(`bucket\u0000${bucket}`, async () => {
        if (await store.get(recordKey(TAG.bucket, bucket)))
          throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, {
            BucketName: bucket,
          })
        const record: BucketRecord = { created: ctx.now().getTime() }
        await store.commit([{ type: 'put', key: recordKey(TAG.bucket, bucket), value: record }])
      })
    },
    async headBucket(bucket) {
      await requireBucket(ctx, bucket)
    },
    async listBuckets() {
      const buckets: { name: string; created: Date }[] = []
      for await (const [key, record] of store.entries<BucketRecord>(Buffer.concat([recordKey(TAG.bucket), Buffer.from([0])])))
        buckets.push({ name: key.subarray(2).toString('utf8'), created: new Date(record.created) })
      return buckets
    },
    async setVersioning(bucket, status) {
      if (status !== 'Enabled' && status !== 'Suspended') throw new S3Error('MalformedXML', 'The XML you provided was not well-formed', 400)
      await ctx.locks.run(`bucket\u0000${bucket}`, async () => {
        const record = await requireBucket(ctx, bucket)
        await store.commit([{ type: 'put', key: recordKey(TAG.bucket, bucket), value: { ...record, versioning: status } }])
      })
    },
    async getVersioning(bucket) {
      return (await requireBucket(ctx, bucket)).versioning
    },

    putObject: (input) => putObject(ctx, input),
    getObject: (input) => getObject(ctx, input),
    headObject: (input) => headObject(ctx, input),
    deleteObject: (input) => deleteObject(ctx, input),
    deleteObjects: (bucket, entries) => deleteObjects(ctx, bucket, entries),
    copyObject: (input) => copyObject(ctx, input),
    listObjects: (input) => listObjects(ctx, input),
    listObjectVersions: (input) => listObjectVersions(ctx, input),

    createMultipartUpload: (input) => createMultipartUpload(ctx, input),
    uploadPart: (input) => uploadPart(ctx, input),
    uploadPartCopy: (input) => uploadPartCopy(ctx, input),
    completeMultipartUpload: (input) => completeMultipartUpload(ctx, input),
    abortMultipartUpload: (bucket, key, uploadId) => abortMultipartUpload(ctx, bucket, key, uploadId),
    listParts: (input) => listParts(ctx, input),
    listMultipartUploads: (input) => listMultipartUploads(ctx, input),

    runLifecycle: (now) => lifecycle(now ?? ctx.now()),
    subscribe: (listener) => ctx.events.subscribe(listener),
    async close() {
      clearInterval(timer)
      await running
      await store.close()
    },
  }
  await lifecycle(ctx.now())
  const timer = setInterval(() => lifecycle(ctx.now()).catch(() => undefined), HOUR)
  timer.unref()
  return engine
}

/** Body files that no version or part references: a crash between rename and commit left them. */
async function sweepUnreferenced(store: Store, blobs: Blobs): Promise<void> {
  const referenced = new Set<string>()
  for await (const [, record] of store.entries<VersionRecord>(recordKey(TAG.version))) if (record.blob) referenced.add(record.blob)
  for await (const [, record] of store.entries<PartRecord>(recordKey(TAG.part))) referenced.add(record.blob)
  await blobs.sweep(referenced)
}
