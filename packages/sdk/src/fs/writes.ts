/** `fs.write` and `fs.upload`: the three upload paths — one PutObject (small bodies, with progress in browsers), resumable multipart (multipart-upload.ts) and streams of unknown length (stream-upload.ts). */
import { checkNotAborted } from '../abort.js'
import { checkOptions, invalid, isAbortSignal } from '../args.js'
import { WhimsyError } from '../errors.js'
import { nameOf } from '../paths.js'
import { memoryStorage, type SessionStorage } from '../storage.js'
import { AbortMultipartUploadCommand } from '../transport/s3/multipart.js'
import { PutObjectCommand } from '../transport/s3/objects.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { type FileBody, prepareBody, sizeOf } from './bodies.js'
import { contentTypeFor } from './content-types.js'
import { forgetPendingUpload, PAUSED, pendingUploads, uploadMultipart } from './multipart-upload.js'
import { UPLOAD_OPTIONS } from './options.js'
import { lostRace, run } from './requests.js'
import { uploadStream } from './stream-upload.js'
import { precheck, target } from './targets.js'
import type { FileEntry, UploadOptions } from './types.js'
import { STREAM_CANNOT_PAUSE } from './upload-limits.js'
import { type UploadTask, uploadTask } from './upload-task.js'

/** Bodies above this go up in parts (parallel, retried, resumable). */
const MULTIPART_THRESHOLD = 16 * 1024 * 1024

export function write(ctx: WhimsyContext, path: string, data: FileBody, options: UploadOptions = {}): Promise<FileEntry> {
  return put(ctx, 'fs.write', path, data, options)
}

export function upload(
  ctx: WhimsyContext,
  path: string,
  data: Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>,
  options: UploadOptions = {},
): UploadTask<FileEntry> {
  const file = data as Partial<File>
  const isFile = typeof file.name === 'string' && typeof file.lastModified === 'number'
  // A body that is not a File has no identity to resume by in the session storage: its
  // parts are remembered in memory, for as long as the task lives.
  const memory = isFile ? undefined : { storage: memoryStorage(), resumeId: crypto.randomUUID() }
  const isStream = typeof (data as Partial<ReadableStream>).getReader === 'function'
  const discard = async () => {
    const { storage } = memory ?? ctx
    for (const { storageKey, record } of pendingUploads(storage)) {
      if (memory === undefined && !storageKey.startsWith(`whimsy.upload.${record.key}:`)) continue
      await ctx.s3.send(new AbortMultipartUploadCommand({ Bucket: ctx.config.bucket, Key: record.key, UploadId: record.uploadId })).catch(() => {})
      forgetPendingUpload(storage, storageKey)
    }
  }
  return uploadTask({
    call: 'fs.upload',
    signal: isAbortSignal(options?.signal) ? options.signal : undefined,
    onProgress: typeof options?.onProgress === 'function' ? options.onProgress : undefined,
    cannotPause: isStream ? STREAM_CANNOT_PAUSE : undefined,
    discard,
    run: async (attempt) => {
      checkOptions('fs.upload', options, UPLOAD_OPTIONS)
      try {
        return await put(ctx, 'fs.upload', path, data, { ...options, signal: attempt.signal, onProgress: attempt.onProgress }, { pause: attempt.pause, memory })
      } catch (e) {
        // Parts remembered only in memory could never be resumed after a failure: remove them.
        if (memory && e !== PAUSED && !attempt.pause.aborted) await discard()
        throw e
      }
    },
  })
}

export async function put(
  ctx: WhimsyContext,
  call: string,
  path: string,
  data: FileBody,
  options: UploadOptions,
  task?: { pause: AbortSignal; memory?: { storage: SessionStorage; resumeId: string } },
): Promise<FileEntry> {
  checkOptions(call, options, UPLOAD_OPTIONS)
  // Everything about the body is checked before the path is resolved (which may fetch credentials).
  const body = prepareBody(data)
  if (!body) throw invalid(call, 'data', 'a string, Blob, File, ArrayBuffer, typed array or ReadableStream', data)
  checkMetadata(options.metadata)
  precheck(ctx, path, 'create')
  checkNotAborted(call, options.signal)
  const { file: key, path: canonical } = await target(ctx, path, 'create')
  if (!key) throw new WhimsyError('InvalidPath', 'The root "/" is a folder; give the file a name.')
  const contentType = options.contentType ?? contentTypeFor(canonical)
  const conditional = options.ifMatch !== undefined || options.ifNoneMatch !== undefined
  const { s3, config } = ctx

  if (body.kind === 'stream') {
    if (conditional) throw new WhimsyError('InvalidInput', 'Conditional writes (ifMatch, ifNoneMatch) need a body of known size, not a stream.')
    const { etag, size } = await uploadStream({
      s3,
      bucket: config.bucket,
      key,
      path: canonical,
      stream: body.stream,
      contentType,
      metadata: options.metadata,
      partSize: options.partSize,
      concurrency: options.concurrency,
      onProgress: options.onProgress,
      signal: options.signal,
      call: (fn) => ctx.auth.withCredentials(fn),
    })
    return { name: nameOf(canonical), path: canonical, key, type: 'file', size, etag, contentType, modified: new Date() }
  }

  const size = sizeOf(body)
  if (size > MULTIPART_THRESHOLD && !conditional) {
    const file = data as Partial<File>
    const resumeId = typeof file.name === 'string' && typeof file.lastModified === 'number' ? `${key}:${size}:${file.name}:${file.lastModified}` : undefined
    const { etag } = await uploadMultipart({
      s3,
      bucket: config.bucket,
      key,
      body,
      contentType,
      metadata: options.metadata,
      partSize: options.partSize,
      concurrency: options.concurrency,
      onProgress: options.onProgress,
      signal: options.signal,
      resume: resumeId ? { storage: ctx.storage, resumeId } : task?.memory,
      pause: task?.pause,
      path: canonical,
      call: (fn) => ctx.auth.withCredentials(fn),
    })
    return { name: nameOf(canonical), path: canonical, key, type: 'file', size, etag, contentType, modified: new Date() }
  }

  const bytes = body.kind === 'bytes' ? body.bytes : new Uint8Array(await body.blob.arrayBuffer())
  options.onProgress?.({ loaded: 0, total: size })
  // A paused task's small body is sent again whole on resume: one request has no parts to keep.
  const signals = [options.signal, task?.pause].filter((x): x is AbortSignal => x !== undefined)
  const abortSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (If-Match / If-None-Match: conditional writes)
  const put = await run(ctx, canonical, () =>
    s3.send(
      new PutObjectCommand({
        Bucket: config.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        Metadata: options.metadata,
        IfMatch: options.ifMatch,
        IfNoneMatch: options.ifNoneMatch,
      }),
      // Browsers send the body with XMLHttpRequest for progress as it leaves (issue 16).
      { abortSignal, onUploadProgress: options.onProgress && ((loaded) => options.onProgress?.({ loaded, total: size })) },
    ),
  ).catch((e: unknown) => {
    throw options.ifMatch !== undefined ? lostRace(e, canonical) : e
  })
  options.onProgress?.({ loaded: size, total: size })
  return { name: nameOf(canonical), path: canonical, key, type: 'file', size, etag: put.ETag, contentType, modified: new Date() }
}

/** S3 user metadata travels in HTTP headers: printable ASCII only, 2 KB in all. */
export function checkMetadata(metadata: Record<string, string> | undefined): void {
  if (!metadata) return
  let bytes = 0
  for (const [k, v] of Object.entries(metadata)) {
    if (!/^[A-Za-z0-9-_.]+$/.test(k))
      throw new WhimsyError('InvalidInput', `Metadata name ${JSON.stringify(k)} may use letters, digits, "-", "_" and "." only.`)
    if (typeof v !== 'string' || !/^[\x20-\x7e]*$/.test(v))
      throw new WhimsyError('InvalidInput', `Metadata value of ${k} must be printable ASCII text (encode other text first).`)
    bytes += k.length + v.length
  }
  if (bytes > 2048) throw new WhimsyError('InvalidInput', `Metadata is ${bytes} bytes; S3 allows 2 KB.`)
}
