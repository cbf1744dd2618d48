/**
 * Single-object operations: PutObject, GetObject/HeadObject, DeleteObject(s), CopyObject.
 * Bodies stream to a new file before any lock is taken; the key's lock is held only around
 * the check and the commit (see `commitVersion`).
 */
import type { FileHandle } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { BodyHasher } from './checksums.js'
import { checkReadConditions, checkWriteConditions, resolveRange } from './conditions.js'
import { type Context, commitVersion, lockName, requireBucket, validateKey } from './context.js'
import type { VersionRecord } from './store.js'
import {
  type CopyObjectInput,
  type CopyResult,
  type DeleteObjectInput,
  type DeleteResult,
  type GetObjectInput,
  type GetObjectResult,
  type PutObjectInput,
  S3Error,
  type WriteResult,
} from './types.js'
import { addVersion, findVersion, loadHistory, newVersionId, removeVersion, toObjectVersion } from './versions.js'

export function writeResult(record: VersionRecord): WriteResult {
  const result: WriteResult = { etag: record.etag, versionId: record.versionId, lastModified: new Date(record.lastModified) }
  if (record.checksum) result.checksum = record.checksum
  return result
}

export async function putObject(ctx: Context, input: PutObjectInput): Promise<WriteResult> {
  validateKey(input.key)
  await requireBucket(ctx, input.bucket)
  const hasher = new BodyHasher(input.integrity)
  let digests: Awaited<ReturnType<BodyHasher['finish']>> | undefined
  const blob = await ctx.blobs.write([input.body], hasher, async () => {
    digests = await hasher.finish()
  })
  const { size, md5, checksum } = digests!
  try {
    const record = await commitVersion(
      ctx,
      input.bucket,
      input.key,
      { isDeleteMarker: false, etag: `"${md5.toString('hex')}"`, size, headers: input.headers, checksum: { ...checksum, type: 'FULL_OBJECT' }, blob },
      { conditions: input.conditions, eventName: 'ObjectCreated:Put' },
    )
    return writeResult(record)
  } catch (error) {
    await ctx.blobs.remove([blob])
    throw error
  }
}

/** The version a read names: the current one, or `versionId`. Delete markers answer as S3 does. */
export async function resolveVersion(ctx: Context, bucket: string, key: string, versionId: string | undefined, method = 'GET'): Promise<VersionRecord> {
  validateKey(key)
  await requireBucket(ctx, bucket)
  if (versionId !== undefined) {
    const record = await findVersion(ctx.store, bucket, key, versionId)
    if (!record) throw new S3Error('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId })
    if (record.isDeleteMarker)
      throw new S3Error(
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
        405,
        { Method: method, ResourceType: 'DeleteMarker' },
        {
          'x-amz-delete-marker': 'true',
          'x-amz-version-id': record.versionId,
          'last-modified': new Date(record.lastModified).toUTCString(),
        },
      )
    return record
  }
  const history = await loadHistory(ctx.store, bucket, key)
  const latest = history.latest
  if (!latest || latest.isDeleteMarker)
    throw new S3Error(
      'NoSuchKey',
      'The specified key does not exist.',
      404,
      { Key: key },
      latest ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': latest.versionId } : {},
    )
  return latest
}

/**
 * Resolves a version and opens its body file. A body is deleted only after a newer record is
 * committed, so ENOENT means "resolved a moment too early": resolve again.
 */
export async function openVersion(
  ctx: Context,
  bucket: string,
  key: string,
  versionId: string | undefined,
): Promise<{ record: VersionRecord; file: FileHandle }> {
  for (let attempt = 0; ; attempt++) {
    const record = await resolveVersion(ctx, bucket, key, versionId)
    try {
      return { record, file: await ctx.blobs.open(record.blob!) }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 10) throw error
    }
  }
}

async function read(ctx: Context, input: GetObjectInput, withBody: boolean): Promise<GetObjectResult> {
  if (input.range && input.partNumber !== undefined) throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter', 400)
  const method = withBody ? 'GET' : 'HEAD'
  const { record, file } = withBody
    ? await openVersion(ctx, input.bucket, input.key, input.versionId)
    : { record: await resolveVersion(ctx, input.bucket, input.key, input.versionId, method), file: undefined }
  try {
    const version = toObjectVersion(input.bucket, input.key, record, false)
    version.isLatest = input.versionId === undefined || (await loadHistory(ctx.store, input.bucket, input.key)).latest?.seq === record.seq
    checkReadConditions(version, input.conditions)
    const result: GetObjectResult = { version }
    let span: { start: number; end: number } | undefined
    if (input.partNumber !== undefined) {
      const sizes = record.parts?.map((p) => p.size) ?? [record.size]
      if (input.partNumber < 1 || input.partNumber > sizes.length)
        throw new S3Error('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416, {
          PartNumberRequested: String(input.partNumber),
          ActualPartCount: String(sizes.length),
        })
      const start = sizes.slice(0, input.partNumber - 1).reduce((a, b) => a + b, 0)
      if (sizes[input.partNumber - 1]! > 0) span = { start, end: start + sizes[input.partNumber - 1]! - 1 }
      if (record.parts) result.partsCount = record.parts.length
    } else {
      span = resolveRange(input.range, record.size)
    }
    if (span) result.range = { ...span, total: record.size }
    if (file) {
      result.body = file.createReadStream(span ?? {})
    }
    return result
  } catch (error) {
    await file?.close()
    throw error
  }
}

export const getObject = (ctx: Context, input: GetObjectInput) => read(ctx, input, true)
export const headObject = (ctx: Context, input: GetObjectInput) => read(ctx, input, false)

export async function deleteObject(ctx: Context, input: DeleteObjectInput): Promise<DeleteResult> {
  validateKey(input.key)
  const { bucket, key } = input
  const { result, freedBlobs } = await ctx.locks.run(lockName(bucket, key), async () => {
    const bucketRecord = await requireBucket(ctx, bucket)
    const history = await loadHistory(ctx.store, bucket, key)
    if (input.conditions?.ifMatch !== undefined) {
      checkWriteConditions(history.latest && !history.latest.isDeleteMarker ? history.latest : undefined, key, input.conditions)
    }
    const now = ctx.now()
    const removeFor = input.versionId ?? (bucketRecord.versioning === undefined ? 'null' : undefined)
    if (removeFor !== undefined) {
      const target = await findVersion(ctx.store, bucket, key, removeFor)
      if (!target) return { result: input.versionId ? { deleteMarker: false, versionId: input.versionId } : { deleteMarker: false }, freedBlobs: [] }
      const change = await removeVersion(ctx.store, bucket, key, target)
      const seq = ctx.store.nextSeq()
      await ctx.store.commit(change.ops, () => ctx.events.publish('ObjectRemoved:Delete', bucket, key, { versionId: target.versionId }, seq, now))
      const result: DeleteResult = input.versionId ? { deleteMarker: target.isDeleteMarker, versionId: target.versionId } : { deleteMarker: false }
      return { result, freedBlobs: change.freedBlobs }
    }
    const seq = ctx.store.nextSeq()
    const marker: VersionRecord = {
      versionId: bucketRecord.versioning === 'Enabled' ? newVersionId() : 'null',
      isDeleteMarker: true,
      etag: '',
      size: 0,
      lastModified: now.getTime(),
      headers: { metadata: {} },
      seq,
    }
    const change = addVersion(bucket, key, history, marker, now.getTime())
    await ctx.store.commit(change.ops, () => ctx.events.publish('ObjectRemoved:DeleteMarkerCreated', bucket, key, { versionId: marker.versionId }, seq, now))
    return { result: { deleteMarker: true, versionId: marker.versionId }, freedBlobs: change.freedBlobs }
  })
  await ctx.blobs.remove(freedBlobs)
  return result
}

export async function deleteObjects(ctx: Context, bucket: string, entries: { key: string; versionId?: string; ifMatch?: string }[]) {
  if (entries.length === 0 || entries.length > 1000)
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400)
  await requireBucket(ctx, bucket)
  type Outcome = { key: string; ok: true; result: DeleteResult } | { key: string; versionId?: string; ok: false; error: S3Error }
  const outcomes: Outcome[] = new Array(entries.length)
  const deleteOne = async (index: number) => {
    const entry = entries[index]!
    try {
      const result = await deleteObject(ctx, {
        bucket,
        key: entry.key,
        ...(entry.versionId !== undefined ? { versionId: entry.versionId } : {}),
        ...(entry.ifMatch !== undefined ? { conditions: { ifMatch: entry.ifMatch } } : {}),
      })
      outcomes[index] = { key: entry.key, ok: true, result }
    } catch (error) {
      if (!(error instanceof S3Error)) throw error
      outcomes[index] = { key: entry.key, ...(entry.versionId !== undefined ? { versionId: entry.versionId } : {}), ok: false, error }
    }
  }
  // A few deletes at a time share each synced batch (see Store.commit); the key lock keeps
  // repeated keys in list order.
  let next = 0
  const worker = async () => {
    while (next < entries.length) await deleteOne(next++)
  }
  await Promise.all(Array.from({ length: Math.min(16, entries.length) }, worker))
  return outcomes
}

export async function copyObject(ctx: Context, input: CopyObjectInput): Promise<CopyResult> {
  validateKey(input.key)
  await requireBucket(ctx, input.bucket)
  const { source } = input
  const { record, file } = await openVersion(ctx, source.bucket, source.key, source.versionId)
  let blob: string
  let digests: Awaited<ReturnType<BodyHasher['finish']>> | undefined
  try {
    checkReadConditions({ etag: record.etag, lastModified: new Date(record.lastModified) }, source.conditions, true)
    const algorithm = input.checksumAlgorithm ?? record.checksum?.algorithm ?? 'CRC64NVME'
    if (
      source.bucket === input.bucket &&
      source.key === input.key &&
      input.metadataDirective === 'COPY' &&
      (input.checksumAlgorithm === undefined || input.checksumAlgorithm === record.checksum?.algorithm)
    ) {
      const current = await resolveVersion(ctx, input.bucket, input.key, undefined).catch(() => undefined)
      if (current?.seq === record.seq)
        throw new S3Error(
          'InvalidRequest',
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
          400,
        )
    }
    const hasher = new BodyHasher({ checksum: { algorithm } })
    blob = await ctx.blobs.write([file.createReadStream({ autoClose: false }) as Readable], hasher, async () => {
      digests = await hasher.finish()
    })
  } finally {
    await file.close()
  }
  const { size, md5, checksum } = digests!
  try {
    const written = await commitVersion(
      ctx,
      input.bucket,
      input.key,
      {
        isDeleteMarker: false,
        etag: `"${md5.toString('hex')}"`,
        size,
        headers: input.metadataDirective === 'COPY' ? record.headers : input.headers,
        checksum: { ...checksum, type: 'FULL_OBJECT' },
        blob,
      },
      { conditions: input.conditions, eventName: 'ObjectCreated:Copy' },
    )
    return { ...writeResult(written), sourceVersionId: record.versionId }
  } catch (error) {
    await ctx.blobs.remove([blob])
    throw error
  }
}
