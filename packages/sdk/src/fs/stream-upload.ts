/**
 * Uploads a stream of unknown length (`fs.write` with a ReadableStream): the stream is cut
 * into parts as it arrives, a few parts go up at once while the next is read, and a stream
 * that ends within the first part goes up as one PutObject. Memory stays at about
 * `(concurrency + 1) × partSize`. A failure or an abort removes the parts sent
 * (AbortMultipartUpload) once the requests in flight have settled, so nothing stays behind.
 * No resume: a stream cannot be read twice.
 */
import { toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import { createPool } from '../transport/pool.js'
import type { S3 } from '../transport/s3/client.js'
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '../transport/s3/multipart.js'
import { PutObjectCommand } from '../transport/s3/objects.js'
import { PART_ATTEMPTS } from './multipart-upload.js'
import { MIN_PART_SIZE } from './upload-limits.js'

export interface StreamUploadOptions {
  s3: S3
  bucket: string
  key: string
  /** The user's path, for messages. */
  path: string
  stream: ReadableStream<Uint8Array>
  contentType: string
  metadata?: Record<string, string>
  partSize?: number
  concurrency?: number
  /** Bytes stored so far; `total` once the stream has ended. */
  onProgress?: (progress: { loaded: number; total?: number }) => void
  signal?: AbortSignal
  /** Runs an S3 call with fresh credentials (retried once if they expired). */
  call: <T>(fn: () => Promise<T>) => Promise<T>
}

export async function uploadStream(options: StreamUploadOptions): Promise<{ etag: string; size: number }> {
  const { s3, bucket, key, path, signal, call } = options
  const partSize = Math.max(MIN_PART_SIZE, options.partSize ?? 8 * 1024 * 1024)
  const reader = options.stream.getReader()
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => {})
  signal?.addEventListener('abort', onAbort, { once: true })
  const aborted = () => new WhimsyError('Aborted', 'The upload was cancelled; nothing was kept.', { cause: signal?.reason })
  let leftover: Uint8Array | undefined
  let ended = false

  /** The next part: `partSize` bytes, or fewer at the end of the stream. */
  const nextPart = async (): Promise<Uint8Array> => {
    const part = new Uint8Array(partSize)
    let filled = 0
    while (filled < partSize) {
      let chunk = leftover
      leftover = undefined
      if (!chunk) {
        const read = await reader.read()
        if (read.done) {
          ended = true
          break
        }
        chunk = read.value
      }
      const take = Math.min(chunk.byteLength, partSize - filled)
      part.set(chunk.subarray(0, take), filled)
      filled += take
      if (take < chunk.byteLength) leftover = chunk.subarray(take)
    }
    return part.subarray(0, filled)
  }

  try {
    let part = await nextPart().catch((e: unknown) => {
      throw signal?.aborted ? aborted() : e
    })
    if (signal?.aborted) throw aborted()
    if (ended) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
      const put = await call(() =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: part, ContentType: options.contentType, Metadata: options.metadata }), {
          abortSignal: signal,
        }),
      )
      options.onProgress?.({ loaded: part.byteLength, total: part.byteLength })
      return { etag: put.ETag ?? '', size: part.byteLength }
    }

    // Not given the signal: its upload id is what the clean-up needs.
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    const created = await call(() =>
      s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, Metadata: options.metadata })),
    )
    const uploadId = created.UploadId
    if (!uploadId) throw new WhimsyError('Unknown', 'S3 started a multipart upload without an upload id.')
    const stop = new AbortController()
    const partSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal
    const done: { PartNumber: number; ETag: string }[] = []
    // Stops on the first failure: no part starts after it, and the ones in flight are aborted.
    const pool = createPool(options.concurrency ?? 4, { signal, onFailure: () => stop.abort() })
    let loaded = 0
    let size = 0

    const send = (partNumber: number, bytes: Uint8Array) =>
      pool.start(async () => {
        const result = await call(() =>
          // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
          s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: bytes }), {
            abortSignal: partSignal,
            attempts: PART_ATTEMPTS,
          }),
        )
        if (!result.ETag) throw new WhimsyError('Unknown', `S3 accepted part ${partNumber} without an ETag.`)
        done.push({ PartNumber: partNumber, ETag: result.ETag })
        loaded += bytes.byteLength
        options.onProgress?.({ loaded, total: ended && pool.running === 1 ? size : undefined })
      })

    try {
      for (let n = 1; ; n++) {
        size += part.byteLength
        if ((part.byteLength > 0 || n === 1) && !(await send(n, part))) break
        if (ended) break
        // The next part is read only once it could go up: at most `concurrency` parts in memory.
        if (!(await pool.ready())) break
        part = await nextPart()
        if (signal?.aborted) break
        if (part.byteLength === 0 && ended) break
      }
      await pool.settle()
      if (signal?.aborted) throw aborted()
      done.sort((a, b) => a.PartNumber - b.PartNumber)
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
      const completed = await call(() =>
        s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: done } })),
      )
      options.onProgress?.({ loaded: size, total: size })
      return { etag: completed.ETag ?? '', size }
    } catch (e) {
      stop.abort()
      await pool.settle().catch(() => {}) // the first failure is already in hand (or was the abort)
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
      await call(() => s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))).catch(() => {})
      throw signal?.aborted ? aborted() : e
    }
  } catch (e) {
    if (e instanceof WhimsyError && e.code === 'Aborted') throw e
    if (signal?.aborted) throw aborted()
    throw toWhimsyError(e, path)
  } finally {
    signal?.removeEventListener('abort', onAbort)
    reader.releaseLock()
  }
}
