/** `fs.read*` and `fs.stream`: GetObject, whole or a range, with progress as bytes arrive. */
import { checkNotAborted } from '../abort.js'
import { checkOptions } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import { type FileRef, printable } from '../paths.js'
import { GetObjectCommand } from '../transport/s3/objects.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { readAllBytes } from './bodies.js'
import { READ_OPTIONS, STREAM_OPTIONS } from './options.js'
import { run } from './requests.js'
import { labelOf, target } from './targets.js'
import type { ReadOptions } from './types.js'

export async function read(ctx: WhimsyContext, path: string | FileRef, options: ReadOptions = {}): Promise<Uint8Array> {
  return (await download(ctx, 'fs.read', path, options)).bytes
}

export async function readText(ctx: WhimsyContext, path: string | FileRef, options: ReadOptions = {}): Promise<string> {
  return new TextDecoder().decode((await download(ctx, 'fs.readText', path, options)).bytes)
}

export async function readJSON<T = unknown>(ctx: WhimsyContext, path: string | FileRef, options: ReadOptions = {}): Promise<T> {
  const text = new TextDecoder().decode((await download(ctx, 'fs.readJSON', path, options)).bytes)
  try {
    return JSON.parse(text) as T
  } catch (e) {
    throw new WhimsyError('InvalidInput', `${labelOf(path)} is not valid JSON.`, { cause: e })
  }
}

export async function readBlob(ctx: WhimsyContext, path: string | FileRef, options: ReadOptions = {}): Promise<Blob> {
  const { bytes, contentType } = await download(ctx, 'fs.readBlob', path, options)
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: contentType })
}

export async function stream(ctx: WhimsyContext, path: string | FileRef, options: Omit<ReadOptions, 'onProgress'> = {}): Promise<ReadableStream<Uint8Array>> {
  checkOptions('fs.stream', options, STREAM_OPTIONS)
  checkNotAborted('fs.stream', options.signal)
  return (await open(ctx, path, options)).stream
}

/** A whole file (or range) in memory, reporting progress as bytes arrive. */
export async function download(
  ctx: WhimsyContext,
  call: string,
  path: string | FileRef,
  options: ReadOptions,
): Promise<{ bytes: Uint8Array; contentType?: string }> {
  checkOptions(call, options, READ_OPTIONS)
  checkNotAborted(call, options.signal)
  const { stream, total, contentType } = await open(ctx, path, options)
  options.onProgress?.({ loaded: 0, total })
  const bytes = await readAllBytes(stream, (loaded) => options.onProgress?.({ loaded, total }), options.signal).catch((e: unknown) => {
    if (options.signal?.aborted) throw new WhimsyError('Aborted', 'The download was cancelled.', { cause: e })
    throw toWhimsyError(e, labelOf(path))
  })
  return { bytes, contentType }
}

export async function open(
  ctx: WhimsyContext,
  path: string | FileRef,
  options: Omit<ReadOptions, 'onProgress'>,
): Promise<{ stream: ReadableStream<Uint8Array>; total?: number; contentType?: string }> {
  const { file: key, path: opened } = await target(ctx, path)
  const canonical = printable(opened)
  if (!key) throw new WhimsyError('InvalidPath', `${canonical} is a folder, not a file.`)
  const range = options.range
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
  const got = await run(ctx, canonical, () =>
    ctx.s3.send(new GetObjectCommand({ Bucket: ctx.config.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined }), {
      abortSignal: options.signal,
    }),
  ).catch((e: unknown) => {
    // 416: the range starts at or past the end (S3's InvalidRange). A range that only ends
    // past it is cut to the file, as HTTP does.
    if (range && e instanceof WhimsyError && e.status === 416)
      throw new WhimsyError('InvalidInput', `${canonical}: the range starts at byte ${range.start}, which is past the end of the file.`, {
        cause: e.cause,
        status: 416,
      })
    throw e
  })
  if (!got.Body) throw new WhimsyError('Unknown', `S3 returned no body for ${canonical}.`)
  return { stream: got.Body.transformToWebStream() as ReadableStream<Uint8Array>, total: got.ContentLength, contentType: got.ContentType }
}
