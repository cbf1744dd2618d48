/**
 * Multipart uploads. Parts are body files like any other, recorded as `P NUL <uploadId> NUL
 * <part number>`; a resent part replaces the earlier record (and its file), so it is never
 * counted twice. Completing streams the listed parts into one new body file (computing the
 * full-object checksum on the way) and commits the version, the upload's removal and its
 * parts' removal in one batch. An abort refuses new parts at once and waits for the parts
 * (and completes) in flight before it removes anything.
 */
import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import { type BodyDigests, BodyHasher, compositeChecksum, createDigest, multipartEtag, unquote } from './checksums.js'
import { checkReadConditions } from './conditions.js'
import { type Context, commitVersion, lockName, requireBucket, validateKey } from './context.js'
import { toMultipartUpload } from './listing.js'
import { openVersion, writeResult } from './objects.js'
import { type Operation, type PartRecord, recordKey, type Store, TAG, type UploadRecord } from './store.js'
import {
  type ChecksumType,
  type CompleteMultipartUploadInput,
  type CreateMultipartUploadInput,
  type ListPartsInput,
  type ListPartsResult,
  type MultipartUpload,
  S3Error,
  type UploadedPart,
  type UploadPartCopyInput,
  type UploadPartInput,
  type WriteResult,
} from './types.js'

/** S3's minimum size of every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024

const uploadKey = (bucket: string, key: string, uploadId: string) => recordKey(TAG.upload, bucket, key, uploadId)
const partKey = (uploadId: string, partNumber: number) => recordKey(TAG.part, uploadId, String(partNumber).padStart(5, '0'))
const partsPrefix = (uploadId: string) => Buffer.concat([recordKey(TAG.part, uploadId), Buffer.from([0])])

function noSuchUpload(uploadId: string): S3Error {
  return new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
    { UploadId: uploadId },
  )
}

interface Activity {
  aborting: boolean
  inflight: number
  idle: (() => void)[]
  /** Completes in flight: they may still open any part body they listed. */
  completing: number
  /** Part bodies freed while a complete was in flight, removed when the last one ends. */
  deferred: string[]
}

/** What is in flight per upload, so an abort can refuse new work and wait for the rest. */
export class UploadActivity {
  private readonly uploads = new Map<string, Activity>()

  enter(uploadId: string): Activity {
    let activity = this.uploads.get(uploadId)
    if (!activity) {
      activity = { aborting: false, inflight: 0, idle: [], completing: 0, deferred: [] }
      this.uploads.set(uploadId, activity)
    }
    if (activity.aborting) throw noSuchUpload(uploadId)
    activity.inflight++
    return activity
  }

  leave(uploadId: string, activity: Activity): void {
    if (--activity.inflight > 0) return
    for (const resolve of activity.idle.splice(0)) resolve()
    if (!activity.aborting) this.uploads.delete(uploadId)
  }

  /** Marks the upload aborting and resolves once nothing is in flight; `done` forgets it. */
  async drain(uploadId: string): Promise<() => void> {
    const activity = this.enter(uploadId)
    activity.aborting = true
    activity.inflight--
    if (activity.inflight > 0) await new Promise<void>((resolve) => activity.idle.push(resolve))
    return () => {
      if (this.uploads.get(uploadId) === activity) this.uploads.delete(uploadId)
    }
  }
}

export interface MultipartContext extends Context {
  activity: UploadActivity
}

/**
 * Frees part bodies now, or once no complete of the upload is in flight: a complete streams the
 * part files it resolved, and a retried part (or a racing complete) must not pull one away.
 */
async function freePartBodies(ctx: MultipartContext, activity: Activity, blobs: string[]): Promise<void> {
  if (activity.completing > 0) activity.deferred.push(...blobs)
  else await ctx.blobs.remove(blobs)
}

async function requireUpload(store: Store, bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
  const record = await store.get<UploadRecord>(uploadKey(bucket, key, uploadId))
  if (!record) throw noSuchUpload(uploadId)
  return record
}

export async function createMultipartUpload(ctx: MultipartContext, input: CreateMultipartUploadInput): Promise<MultipartUpload> {
  validateKey(input.key)
  await requireBucket(ctx, input.bucket)
  const now = ctx.now()
  // Upload ids start with the initiation time, so a key's uploads list in initiation order, as on S3.
  const uploadId = `${now.getTime().toString(16).padStart(12, '0')}${randomBytes(18).toString('base64url')}`
  const record: UploadRecord = { uploadId, initiated: now.getTime(), headers: input.headers }
  if (input.checksum) {
    const { algorithm } = input.checksum
    const fullOnly = algorithm === 'CRC64NVME'
    const compositeOnly = algorithm === 'SHA1' || algorithm === 'SHA256'
    const type: ChecksumType = input.checksum.type ?? (fullOnly ? 'FULL_OBJECT' : 'COMPOSITE')
    if ((fullOnly && type === 'COMPOSITE') || (compositeOnly && type === 'FULL_OBJECT'))
      throw new S3Error('InvalidRequest', `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`, 400)
    record.checksum = { algorithm, type }
  }
  await ctx.store.commit([{ type: 'put', key: uploadKey(input.bucket, input.key, uploadId), value: record }])
  return toMultipartUpload(input.bucket, input.key, record)
}

function checkPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', 400, { ArgumentName: 'partNumber' })
}

/** Streams one part in, then records it unless the upload was aborted meanwhile. */
async function storePart(
  ctx: MultipartContext,
  target: { bucket: string; key: string; uploadId: string; partNumber: number },
  body: () => Promise<Readable>,
  integrity: UploadPartInput['integrity'],
): Promise<UploadedPart> {
  checkPartNumber(target.partNumber)
  const activity = ctx.activity.enter(target.uploadId)
  try {
    const upload = await requireUpload(ctx.store, target.bucket, target.key, target.uploadId)
    if (upload.checksum && integrity.checksum && integrity.checksum.algorithm !== upload.checksum.algorithm)
      throw new S3Error('InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksum.algorithm.toLowerCase()}`, 400)
    const algorithm = upload.checksum?.algorithm ?? integrity.checksum?.algorithm
    const hasher = new BodyHasher({ ...integrity, ...(algorithm ? { checksum: { ...integrity.checksum, algorithm } } : {}) })
    let digests: BodyDigests | undefined
    const blob = await ctx.blobs.write([body], hasher, async () => {
      digests = await hasher.finish()
    })
    const now = ctx.now()
    const part: PartRecord = {
      partNumber: target.partNumber,
      etag: `"${digests!.md5.toString('hex')}"`,
      size: digests!.size,
      lastModified: now.getTime(),
      blob,
    }
    if (algorithm) part.checksum = digests!.checksum.value
    // The key's lock, which a complete holds while it reads the parts it removes: a part lands
    // wholly before the complete (and is removed with it) or after it (NoSuchUpload).
    const replaced = await ctx.locks.run(lockName(target.bucket, target.key), async () => {
      try {
        if (activity.aborting) throw noSuchUpload(target.uploadId)
        await requireUpload(ctx.store, target.bucket, target.key, target.uploadId)
      } catch (error) {
        await ctx.blobs.remove([blob])
        throw error
      }
      const previous = await ctx.store.get<PartRecord>(partKey(target.uploadId, target.partNumber))
      await ctx.store.commit([{ type: 'put', key: partKey(target.uploadId, target.partNumber), value: part }])
      return previous
    })
    if (replaced) await freePartBodies(ctx, activity, [replaced.blob])
    return toUploadedPart(part)
  } finally {
    ctx.activity.leave(target.uploadId, activity)
  }
}

function toUploadedPart(part: PartRecord): UploadedPart {
  const uploaded: UploadedPart = { partNumber: part.partNumber, etag: part.etag, size: part.size, lastModified: new Date(part.lastModified) }
  if (part.checksum) uploaded.checksum = part.checksum
  return uploaded
}

export function uploadPart(ctx: MultipartContext, input: UploadPartInput): Promise<UploadedPart> {
  return storePart(ctx, input, async () => input.body, input.integrity)
}

export async function uploadPartCopy(ctx: MultipartContext, input: UploadPartCopyInput): Promise<UploadedPart & { sourceVersionId: string }> {
  checkPartNumber(input.partNumber)
  await requireUpload(ctx.store, input.bucket, input.key, input.uploadId)
  const { source } = input
  const { record, file } = await openVersion(ctx, source.bucket, source.key, source.versionId)
  try {
    checkReadConditions({ etag: record.etag, lastModified: record.lastModified }, source.conditions, true)
    const range = source.range
    if (range && (range.start < 0 || range.end < range.start || range.end >= record.size))
      throw new S3Error('InvalidArgument', `Range specified is not valid for source object of size: ${record.size}`, 400, {
        ArgumentName: 'x-amz-copy-source-range',
      })
    const part = await storePart(ctx, input, async () => file.createReadStream({ autoClose: false, ...(range ?? {}) }) as Readable, {})
    return { ...part, sourceVersionId: record.versionId }
  } finally {
    await file.close()
  }
}

async function loadParts(store: Store, uploadId: string): Promise<PartRecord[]> {
  const parts: PartRecord[] = []
  for await (const [, part] of store.entries<PartRecord>(partsPrefix(uploadId))) parts.push(part)
  return parts
}

function invalidPart(uploadId: string, part: { partNumber: number; etag: string }): S3Error {
  return new S3Error(
    'InvalidPart',
    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    400,
    { UploadId: uploadId, PartNumber: String(part.partNumber), ETag: part.etag },
  )
}

export async function completeMultipartUpload(ctx: MultipartContext, input: CompleteMultipartUploadInput): Promise<WriteResult> {
  const { bucket, key, uploadId } = input
  const activity = ctx.activity.enter(uploadId)
  activity.completing++
  try {
    const upload = await requireUpload(ctx.store, bucket, key, uploadId)
    if (input.parts.length === 0)
      throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400)
    const stored = new Map((await loadParts(ctx.store, uploadId)).map((p) => [p.partNumber, p]))
    const chosen: PartRecord[] = []
    for (const [i, listed] of input.parts.entries()) {
      if (i > 0 && listed.partNumber <= input.parts[i - 1]!.partNumber)
        throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', 400, {
          UploadId: uploadId,
        })
      const part = stored.get(listed.partNumber)
      if (!part || unquote(part.etag) !== unquote(listed.etag)) throw invalidPart(uploadId, listed)
      if (listed.checksum !== undefined && part.checksum !== undefined && listed.checksum !== part.checksum) throw invalidPart(uploadId, listed)
      chosen.push(part)
    }
    for (const [i, part] of chosen.entries()) {
      if (i < chosen.length - 1 && part.size < MIN_PART_SIZE)
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400, {
          ProposedSize: String(part.size),
          MinSizeAllowed: String(MIN_PART_SIZE),
          PartNumber: String(part.partNumber),
          ETag: part.etag,
        })
    }
    const algorithm = upload.checksum?.algorithm ?? 'CRC64NVME'
    const type: ChecksumType = upload.checksum?.type ?? 'FULL_OBJECT'
    const full = createDigest(algorithm)
    let size = 0
    let fullValue = ''
    const blob = await ctx.blobs.write(
      chosen.map((part) => async () => (await ctx.blobs.open(part.blob)).createReadStream() as Readable),
      {
        update(chunk) {
          size += chunk.length
          if (type === 'FULL_OBJECT') full.update(chunk)
        },
      },
      async () => {
        if (type === 'FULL_OBJECT') fullValue = (await full.digest()).toString('base64')
      },
    )
    try {
      const value =
        type === 'FULL_OBJECT'
          ? fullValue
          : await compositeChecksum(
              algorithm,
              chosen.map((p) => p.checksum ?? ''),
            )
      if (input.checksum?.value !== undefined && input.checksum.value !== value)
        throw new S3Error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, 400)
      let allParts: PartRecord[] = []
      const record = await commitVersion(
        ctx,
        bucket,
        key,
        {
          isDeleteMarker: false,
          etag: multipartEtag(chosen.map((p) => p.etag)),
          size,
          headers: upload.headers,
          checksum: { algorithm, type, value },
          parts: chosen.map((p) => (p.checksum ? { size: p.size, checksum: p.checksum } : { size: p.size })),
          blob,
        },
        {
          conditions: input.conditions,
          eventName: 'ObjectCreated:CompleteMultipartUpload',
          // Under the key's lock: a concurrent complete may have won, and parts may have landed since.
          guard: async () => {
            await requireUpload(ctx.store, bucket, key, uploadId)
            allParts = await loadParts(ctx.store, uploadId)
            return [
              { type: 'del', key: uploadKey(bucket, key, uploadId) },
              ...allParts.map((p): Operation => ({ type: 'del', key: partKey(uploadId, p.partNumber) })),
            ]
          },
        },
      )
      await freePartBodies(
        ctx,
        activity,
        allParts.map((p) => p.blob),
      )
      return writeResult(record)
    } catch (error) {
      await ctx.blobs.remove([blob])
      throw error
    }
  } finally {
    if (--activity.completing === 0) await ctx.blobs.remove(activity.deferred.splice(0))
    ctx.activity.leave(uploadId, activity)
  }
}

export async function abortMultipartUpload(ctx: MultipartContext, bucket: string, key: string, uploadId: string): Promise<void> {
  await requireBucket(ctx, bucket)
  await requireUpload(ctx.store, bucket, key, uploadId)
  const forget = await ctx.activity.drain(uploadId)
  try {
    await requireUpload(ctx.store, bucket, key, uploadId)
    const parts = await loadParts(ctx.store, uploadId)
    await ctx.store.commit([
      { type: 'del', key: uploadKey(bucket, key, uploadId) },
      ...parts.map((p): Operation => ({ type: 'del', key: partKey(uploadId, p.partNumber) })),
    ])
    await ctx.blobs.remove(parts.map((p) => p.blob))
  } finally {
    forget()
  }
}

export async function listParts(ctx: MultipartContext, input: ListPartsInput): Promise<ListPartsResult> {
  await requireBucket(ctx, input.bucket)
  const upload = await requireUpload(ctx.store, input.bucket, input.key, input.uploadId)
  const max = Math.min(input.maxParts, 1000)
  const parts: UploadedPart[] = []
  let isTruncated = false
  const start = input.partNumberMarker ? { gt: partKey(input.uploadId, input.partNumberMarker) } : {}
  for await (const [, part] of ctx.store.entries<PartRecord>(partsPrefix(input.uploadId), start)) {
    if (parts.length === max) {
      isTruncated = true
      break
    }
    parts.push(toUploadedPart(part))
  }
  const result: ListPartsResult = { upload: toMultipartUpload(input.bucket, input.key, upload), parts, isTruncated }
  if (isTruncated) result.nextPartNumberMarker = parts.at(-1)?.partNumber ?? 0
  return result
}
