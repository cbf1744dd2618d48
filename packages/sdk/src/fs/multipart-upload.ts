/**
 * Resumable multipart uploads of bodies whose size is known (Files, Blobs, byte arrays):
 * parts in parallel, each retried with backoff, progress in bytes, abort that leaves nothing
 * behind, and — for a File — resume after an interruption (a dropped connection, a closed
 * tab): the upload id is kept in the session storage, and the next upload of the same File
 * to the same path asks S3 which parts it already has (ListParts) and sends only the rest.
 *
 * Each part is retried by the S3 client's one retry policy (transport/retry.ts), with more
 * attempts than other requests: one lost part would cost the whole upload.
 */
import { toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import type { SessionStorage } from '../storage.js'
import { forEachInPool } from '../transport/pool.js'
import type { S3 } from '../transport/s3/client.js'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '../transport/s3/multipart.js'
import { type PreparedBody, sizeOf, sliceOf } from './bodies.js'
import { MIN_PART_SIZE } from './upload-limits.js'

export { MIN_PART_SIZE }
/** At most 10,000 parts. */
const MAX_PARTS = 10_000
/** Attempts for one part (the policy's default is 3): network failures, 5xx and throttling. */
export const PART_ATTEMPTS = 5

export interface MultipartOptions {
  s3: S3
  bucket: string
  key: string
  /** The user's path, for messages (the key holds the identityId, which apps never see). */
  path: string
  body: Exclude<PreparedBody, { kind: 'stream' }>
  contentType: string
  metadata?: Record<string, string>
  partSize?: number
  concurrency?: number
  onProgress?: (progress: { loaded: number; total: number }) => void
  signal?: AbortSignal
  /**
   * Stops sending parts without cancelling: the parts sent stay, and so does the resume
   * record, so the next call with the same `resume` continues. Rejects with `PAUSED`.
   */
  pause?: AbortSignal
  /** Where an interrupted upload is remembered; `resumeId` names the body (a File's identity). */
  resume?: { storage: SessionStorage; resumeId: string }
  /** Runs an S3 call with fresh credentials (retried once if they expired). */
  call: <T>(fn: () => Promise<T>) => Promise<T>
}

interface ResumeRecord {
  key: string
  uploadId: string
  size: number
  partSize: number
}

/** Chooses a part size: the requested one, grown until the body fits in 10,000 parts. */
export function planParts(size: number, requested = 8 * 1024 * 1024): { partSize: number; count: number } {
  let partSize = Math.max(MIN_PART_SIZE, requested)
  while (Math.ceil(size / partSize) > MAX_PARTS) partSize *= 2
  return { partSize, count: Math.max(1, Math.ceil(size / partSize)) }
}

/** Where the resume records of unfinished uploads are listed, for account deletion. */
export const PENDING_UPLOADS_KEY = 'whimsy.uploads'

export async function uploadMultipart(options: MultipartOptions): Promise<{ etag: string }> {
  const { s3, bucket, key, path, body, call } = options
  // Our own signal too: a part that fails for good stops the parts still in flight, so none
  // lands after the clean-up.
  const stop = new AbortController()
  const createSignal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal
  // Pausing stops parts, not the create: its upload id is what a resume continues.
  const signal = options.pause ? AbortSignal.any([createSignal, options.pause]) : createSignal
  const size = sizeOf(body)
  const storageKey = options.resume ? `whimsy.upload.${options.resume.resumeId}` : undefined
  const remembered = storageKey ? readRecord(options.resume?.storage, storageKey) : undefined

  let uploadId: string | undefined
  let partSize = planParts(size, options.partSize).partSize
  const done = new Map<number, string>()

  if (remembered && remembered.key === key && remembered.size === size) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
    const listed = await listParts(s3, call, { Bucket: bucket, Key: key, UploadId: remembered.uploadId }).catch((e: unknown) => {
      if (toWhimsyError(e).code === 'NotFound') return undefined // expired or aborted: start over
      throw toWhimsyError(e, path)
    })
    if (listed) {
      uploadId = remembered.uploadId
      partSize = remembered.partSize
      const count = Math.ceil(size / partSize)
      for (const part of listed.Parts ?? []) {
        const n = part.PartNumber ?? 0
        const expected = n === count ? size - (count - 1) * partSize : partSize
        if (part.ETag && part.Size === expected) done.set(n, part.ETag)
      }
    }
  }
  if (!uploadId) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    const created = await call(() =>
      s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, Metadata: options.metadata }), {
        abortSignal: createSignal,
      }),
    ).catch((e: unknown) => {
      throw toWhimsyError(e, path)
    })
    uploadId = created.UploadId
    if (!uploadId) throw new WhimsyError('Unknown', 'S3 started a multipart upload without an upload id.')
    if (storageKey && options.resume) {
      options.resume.storage.setItem(storageKey, JSON.stringify({ key, uploadId, size, partSize } satisfies ResumeRecord))
      rememberPending(options.resume.storage, storageKey, true)
    }
  }
  const activeUploadId = uploadId

  const count = Math.max(1, Math.ceil(size / partSize))
  const partBytes = (n: number) => (n === count ? size - (count - 1) * partSize : partSize)
  let loaded = [...done.keys()].reduce((sum, n) => sum + partBytes(n), 0)
  options.onProgress?.({ loaded, total: size })

  const queue = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n))
  const abortAll = async () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
    await call(() => s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: activeUploadId }))).catch(() => {})
    forget()
  }
  const forget = () => {
    if (!storageKey || !options.resume) return
    options.resume.storage.removeItem(storageKey)
    rememberPending(options.resume.storage, storageKey, false)
  }

  const uploadPart = async (partNumber: number) => {
    const start = (partNumber - 1) * partSize
    const bytes = await sliceOf(body, start, start + partBytes(partNumber))
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
    const result = await call(() =>
      s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: activeUploadId, PartNumber: partNumber, Body: bytes }), {
        abortSignal: signal,
        attempts: PART_ATTEMPTS,
      }),
    )
    if (!result.ETag) throw new WhimsyError('Unknown', `S3 accepted part ${partNumber} without an ETag.`)
    done.set(partNumber, result.ETag)
    loaded += bytes.byteLength
    options.onProgress?.({ loaded, total: size })
  }

  try {
    await forEachInPool(queue, options.concurrency ?? 4, uploadPart, {
      signal,
      // A part that fails for good stops the parts still in flight.
      onFailure: () => stop.abort(),
    })
    if (options.signal?.aborted) throw abortError(options.signal)
    if (options.pause?.aborted) throw PAUSED
    const parts = [...done.entries()].sort(([a], [b]) => a - b).map(([PartNumber, ETag]) => ({ PartNumber, ETag }))
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
    const completed = await call(() =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: activeUploadId, MultipartUpload: { Parts: parts } })),
    )
    forget()
    return { etag: completed.ETag ?? '' }
  } catch (e) {
    if (options.signal?.aborted) {
      await abortAll()
      throw abortError(options.signal)
    }
    if (options.pause?.aborted && storageKey) throw PAUSED
    // Without a resume record nobody could continue this upload: clean it up now. With one,
    // the parts stay for the next attempt (production's bucket expires abandoned uploads).
    if (!storageKey) await abortAll()
    throw toWhimsyError(e, path)
  }
}

/** Every part S3 has of an upload: ListParts answers 1,000 at a time, and an upload may have 10,000. */
async function listParts(
  s3: S3,
  call: MultipartOptions['call'],
  upload: { Bucket: string; Key: string; UploadId: string },
): Promise<{ Parts: { PartNumber?: number; ETag?: string; Size?: number }[] }> {
  const parts: { PartNumber?: number; ETag?: string; Size?: number }[] = []
  let marker: number | undefined
  for (;;) {
    const page = await call(() => s3.send(new ListPartsCommand({ ...upload, PartNumberMarker: marker })))
    parts.push(...(page.Parts ?? []))
    if (!page.IsTruncated || page.NextPartNumberMarker === undefined || page.NextPartNumberMarker === marker) return { Parts: parts }
    marker = page.NextPartNumberMarker
  }
}

/** What a paused upload rejects with (never seen by apps: the upload task waits for resume). */
export const PAUSED = new WhimsyError('Aborted', 'The upload was paused; resume it to continue.')

function abortError(signal: AbortSignal): WhimsyError {
  return new WhimsyError('Aborted', 'The upload was cancelled; nothing was kept.', { cause: signal.reason })
}

/** The resume records of uploads not finished yet, as `{ storageKey: {key, uploadId} }`. */
export function pendingUploads(storage: SessionStorage): { storageKey: string; record: ResumeRecord }[] {
  const keys = readList(storage)
  return keys.flatMap((storageKey) => {
    const record = readRecord(storage, storageKey)
    return record ? [{ storageKey, record }] : []
  })
}

/** Forgets a pending upload's record (after its parts were aborted). */
export function forgetPendingUpload(storage: SessionStorage, storageKey: string): void {
  storage.removeItem(storageKey)
  rememberPending(storage, storageKey, false)
}

function rememberPending(storage: SessionStorage, storageKey: string, pending: boolean): void {
  const keys = new Set(readList(storage))
  if (pending) keys.add(storageKey)
  else keys.delete(storageKey)
  if (keys.size === 0) storage.removeItem(PENDING_UPLOADS_KEY)
  else storage.setItem(PENDING_UPLOADS_KEY, JSON.stringify([...keys]))
}

function readList(storage: SessionStorage): string[] {
  try {
    const parsed = JSON.parse(storage.getItem(PENDING_UPLOADS_KEY) ?? '[]') as unknown
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : []
  } catch {
    return []
  }
}

function readRecord(storage: SessionStorage | undefined, key: string): ResumeRecord | undefined {
  try {
    const raw = storage?.getItem(key)
    return raw ? (JSON.parse(raw) as ResumeRecord) : undefined
  } catch {
    return undefined
  }
}
