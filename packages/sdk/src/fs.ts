/**
 * `whimsy.fs`: the user's folder as a filesystem. Paths are the user's own (`/` is their
 * private root, `/public/` their website); keys are `<identityId>/…`, which apps never see.
 * Every path is checked before any request (`paths.ts`); every AWS failure becomes a
 * `WhimsyError` in one place (`aws-errors.ts`). Verbs that act on what exists also take a
 * listed entry (its exact `key`), so whatever a listing shows can be read, moved and removed;
 * verbs that create a name take only a path, so every new name follows the rules.
 */
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { checkNotAborted } from './abort.js'
import { checkOptions, invalid, is, isAbortSignal } from './args.js'
import { toWhimsyError } from './aws-errors.js'
import { type FileBody, prepareBody, readAllBytes, sizeOf } from './bodies.js'
import type { ChangeEvent } from './changes/types.js'
import { readUsage } from './changes/usage.js'
import { type WatchOptions, watchFolder } from './changes/watch.js'
import { contentTypeFor } from './content-types.js'
import { WhimsyError } from './errors.js'
import { CALL_OPTIONS, LIST_OPTIONS, LIST_PAGE_OPTIONS, READ_OPTIONS, REMOVE_OPTIONS, STREAM_OPTIONS, TRANSFER_OPTIONS, UPLOAD_OPTIONS } from './fs-options.js'
import { forgetPendingUpload, MIN_PART_SIZE, PAUSED, pendingUploads, uploadMultipart } from './multipart-upload.js'
import { type FileRef, nameOf, type Place, pathOfKey, placeOf, printable } from './paths.js'
import { publicUrlOf } from './public-url.js'
import { decodeListedKey, deletionBatches } from './s3-xml-keys.js'
import { memoryStorage, type SessionStorage } from './storage.js'
import { STREAM_CANNOT_PAUSE } from './upload-limits.js'
import { type UploadTask, uploadTask } from './upload-task.js'
import type { WhimsyContext } from './whimsy-context.js'

export type { FileRef } from './paths.js'

/** A file or folder in a listing. Pass the entry itself to a verb to act on exactly it. */
export interface FileEntry extends FileRef {
  /** Last segment of the path. */
  name: string
  /** The user's path, e.g. `/notes/todo.txt`, as stored (names others wrote may break the rules). */
  path: string
  /** The exact S3 key (`<identityId>/notes/todo.txt`; a folder's ends with `/`). */
  key: string
  type: 'file' | 'folder'
  /** Bytes; 0 for folders. */
  size: number
  modified?: Date
  etag?: string
  /** In listings, from the file name (S3 listings carry no types); `stat` gives the stored one. */
  contentType?: string
}

/** What `stat` knows: the entry plus the stored type and user metadata. */
export interface FileInfo extends FileEntry {
  metadata: Record<string, string>
}

export type { UploadState, UploadTask } from './upload-task.js'

export interface Progress {
  /** Bytes (transfers) or objects (folder operations) done so far. */
  loaded: number
  total?: number
}

export interface WriteOptions {
  /** Default: from the file name. */
  contentType?: string
  /** User metadata (`x-amz-meta-*`); ASCII keys and values. */
  metadata?: Record<string, string>
  /** Write only if the file is still this version (its `etag`): else `Conflict`. */
  ifMatch?: string
  /** `'*'`: create only — `Conflict` if the file exists. */
  ifNoneMatch?: '*'
  onProgress?: (progress: Progress) => void
  signal?: AbortSignal
}

export interface UploadOptions extends WriteOptions {
  /** Part size in bytes for large bodies (≥ 5 MiB; default 8 MiB). */
  partSize?: number
  /** Parts in flight at once (default 4). */
  concurrency?: number
}

export interface ReadOptions {
  /** Bytes `[start, end]` inclusive, like HTTP ranges. */
  range?: { start: number; end?: number }
  onProgress?: (progress: Progress) => void
  signal?: AbortSignal
}

/** Every `fs` call takes a `signal`: aborted, it rejects with `Aborted` (at once if already aborted). */
export interface CallOptions {
  signal?: AbortSignal
}

export interface ListOptions extends CallOptions {
  /** Every file below the folder (no folder entries), instead of its direct entries. */
  recursive?: boolean
  /** Entries per request (1–1,000): a page holds at most this many. */
  pageSize?: number
}

export interface RemoveOptions extends FolderOptions {
  /** A folder and everything in it; without it only a file or an empty folder is removed. */
  recursive?: boolean
  /** Remove the file only if it is still this version (its `etag`); else `Conflict`, also when it is gone. */
  ifMatch?: string
}

export interface TransferOptions extends FolderOptions {
  /**
   * `false`: never replace an existing file at the destination — `Conflict` instead (checked
   * for a whole folder before anything is copied, and by S3 for each copy). Default `true`.
   */
  overwrite?: boolean
}

export interface FolderOptions {
  /** Objects done / total, as the operation goes. */
  onProgress?: (progress: Progress & { path?: string }) => void
  signal?: AbortSignal
}

/** Bodies above this go up in parts (parallel, retried, resumable). */
const MULTIPART_THRESHOLD = 16 * 1024 * 1024
const COPY_CONCURRENCY = 8
/**
 * Presigned with temporary credentials, a link cannot outlive them: fresh ones last an hour
 * on AWS, so links last at most 55 minutes (after a refresh when needed), 15 by default.
 */
const MAX_SHARE_SECONDS = 55 * 60
const DEFAULT_SHARE_SECONDS = 15 * 60

export class Files {
  constructor(private readonly ctx: WhimsyContext) {}

  /**
   * Calls `listener` for each change in a folder (and below, with `recursive`), from any device.
   * @example
   * const stop = whimsy.fs.watch('/photos', (c) => c.type === 'resync' ? relist() : refresh(c.path))
   */
  watch(folder: string, listener: (event: ChangeEvent) => void, options?: WatchOptions): () => void {
    return watchFolder(this.ctx, folder, listener, options)
  }

  /**
   * Writes a whole file. Large bodies go up in parallel parts; see `upload`.
   * @example
   * await whimsy.fs.write('/notes/todo.txt', 'milk')
   * await whimsy.fs.write('/data.json', JSON.stringify(data), { ifMatch: etag }) // Conflict if changed meanwhile
   */
  write(path: string, data: FileBody, options: UploadOptions = {}): Promise<FileEntry> {
    return this.put('fs.write', path, data, options)
  }

  /**
   * Uploads a large file in parallel parts with progress, as a task: `await` it (or
   * `task.done`) for the entry; `pause()` keeps the parts sent and `resume()` continues;
   * `cancel()` (or aborting `signal`) removes them. If it is interrupted otherwise (a dropped
   * connection, a closed tab), uploading the same File to the same path again resumes where it
   * stopped. A stream cannot pause (it cannot be read twice).
   * @example
   * const task = whimsy.fs.upload('/video.mp4', file, { onProgress: ({ loaded, total }) => bar(loaded / total!) })
   * pauseButton.onclick = () => task.pause()
   * resumeButton.onclick = () => task.resume()
   * const entry = await task
   */
  upload(path: string, data: Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>, options: UploadOptions = {}): UploadTask<FileEntry> {
    const file = data as Partial<File>
    const isFile = typeof file.name === 'string' && typeof file.lastModified === 'number'
    // A body that is not a File has no identity to resume by in the session storage: its
    // parts are remembered in memory, for as long as the task lives.
    const memory = isFile ? undefined : { storage: memoryStorage(), resumeId: crypto.randomUUID() }
    const isStream = typeof (data as Partial<ReadableStream>).getReader === 'function'
    const discard = async () => {
      const { storage } = memory ?? this.ctx
      for (const { storageKey, record } of pendingUploads(storage)) {
        if (memory === undefined && !storageKey.startsWith(`whimsy.upload.${record.key}:`)) continue
        await this.ctx.s3.send(new AbortMultipartUploadCommand({ Bucket: this.ctx.config.bucket, Key: record.key, UploadId: record.uploadId })).catch(() => {})
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
          return await this.put(
            'fs.upload',
            path,
            data,
            { ...options, signal: attempt.signal, onProgress: attempt.onProgress },
            { pause: attempt.pause, memory },
          )
        } catch (e) {
          // Parts remembered only in memory could never be resumed after a failure: remove them.
          if (memory && e !== PAUSED && !attempt.pause.aborted) await discard()
          throw e
        }
      },
    })
  }

  private async put(
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
    this.precheck(path, 'create')
    checkNotAborted(call, options.signal)
    const { file: key, path: canonical } = await this.target(path, 'create')
    if (!key) throw new WhimsyError('InvalidPath', 'The root "/" is a folder; give the file a name.')
    const contentType = options.contentType ?? contentTypeFor(canonical)
    const conditional = options.ifMatch !== undefined || options.ifNoneMatch !== undefined
    const { s3, config } = this.ctx

    if (body.kind === 'stream') {
      if (conditional) throw new WhimsyError('InvalidInput', 'Conditional writes (ifMatch, ifNoneMatch) need a body of known size, not a stream.')
      // lib-storage: a stream of unknown length is cut into parts as it arrives. Its abort()
      // does not cancel requests already in flight, so the client it gets passes our signal
      // to every upload request (not to the AbortMultipartUpload that cleans up after it).
      // Loaded on first use: only stream uploads need it (≈ 25 kB min+gzip with its polyfills),
      // and bundlers that split code keep it out of the main chunk.
      const { Upload } = await import('@aws-sdk/lib-storage')
      let streamed = 0
      const counted = body.stream.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            streamed += chunk.byteLength
            controller.enqueue(chunk)
          },
        }),
      )
      const upload = new Upload({
        client: options.signal ? withAbortSignal(s3, options.signal) : s3,
        params: { Bucket: config.bucket, Key: key, Body: counted, ContentType: contentType, Metadata: options.metadata },
        queueSize: options.concurrency ?? 4,
        partSize: Math.max(MIN_PART_SIZE, options.partSize ?? 8 * 1024 * 1024),
        leavePartsOnError: false,
      })
      upload.on('httpUploadProgress', (p) => options.onProgress?.({ loaded: p.loaded ?? 0, total: p.total }))
      const onAbort = () => void upload.abort().catch(() => {})
      options.signal?.addEventListener('abort', onAbort, { once: true })
      try {
        // Not retried on expired credentials: lib-storage runs done() once; fresh ones first.
        await this.ctx.auth.credentials()
        const result = await upload.done()
        return { name: nameOf(canonical), path: canonical, key, type: 'file', size: streamed, etag: result.ETag, contentType, modified: new Date() }
      } catch (e) {
        if (options.signal?.aborted) {
          // lib-storage keeps its upload id to itself, and its CreateMultipartUpload may still be
          // on its way when the signal fires (so done() rejects before the id is known): wait for
          // that request too, then abort the upload it made, so no parts stay behind.
          const internals = upload as unknown as { uploadId?: string; createMultiPartPromise?: Promise<{ UploadId?: string }> }
          const created = await internals.createMultiPartPromise?.catch(() => undefined)
          const uploadId = internals.uploadId ?? created?.UploadId
          if (uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket: config.bucket, Key: key, UploadId: uploadId })).catch(() => {})
          throw new WhimsyError('Aborted', 'The upload was cancelled; nothing was kept.', { cause: e })
        }
        throw toWhimsyError(e, canonical)
      } finally {
        options.signal?.removeEventListener('abort', onAbort)
      }
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
        resume: resumeId ? { storage: this.ctx.storage, resumeId } : task?.memory,
        pause: task?.pause,
        path: canonical,
        call: (fn) => this.ctx.auth.withCredentials(fn),
      })
      return { name: nameOf(canonical), path: canonical, key, type: 'file', size, etag, contentType, modified: new Date() }
    }

    const bytes = body.kind === 'bytes' ? body.bytes : new Uint8Array(await body.blob.arrayBuffer())
    options.onProgress?.({ loaded: 0, total: size })
    // A paused task's small body is sent again whole on resume: one request has no parts to keep.
    const signals = [options.signal, task?.pause].filter((x): x is AbortSignal => x !== undefined)
    const abortSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (If-Match / If-None-Match: conditional writes)
    const put = await this.run(canonical, () =>
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
        { abortSignal },
      ),
    ).catch((e: unknown) => {
      throw options.ifMatch !== undefined ? lostRace(e, canonical) : e
    })
    options.onProgress?.({ loaded: size, total: size })
    return { name: nameOf(canonical), path: canonical, key, type: 'file', size, etag: put.ETag, contentType, modified: new Date() }
  }

  /**
   * Reads a file's bytes (or a byte range).
   * @example
   * const bytes = await whimsy.fs.read('/photo.png', { onProgress: ({ loaded, total }) => … })
   */
  async read(path: string | FileRef, options: ReadOptions = {}): Promise<Uint8Array> {
    return (await this.download('fs.read', path, options)).bytes
  }

  /**
   * Reads a file as UTF-8 text.
   * @example
   * const todo = await whimsy.fs.readText('/notes/todo.txt')
   */
  async readText(path: string | FileRef, options: ReadOptions = {}): Promise<string> {
    return new TextDecoder().decode((await this.download('fs.readText', path, options)).bytes)
  }

  /**
   * Reads and parses a JSON file; `InvalidInput` if it is not JSON.
   * @example
   * const settings = await whimsy.fs.readJSON<{ theme: string }>('/settings.json')
   */
  async readJSON<T = unknown>(path: string | FileRef, options: ReadOptions = {}): Promise<T> {
    const text = new TextDecoder().decode((await this.download('fs.readJSON', path, options)).bytes)
    try {
      return JSON.parse(text) as T
    } catch (e) {
      throw new WhimsyError('InvalidInput', `${labelOf(path)} is not valid JSON.`, { cause: e })
    }
  }

  /**
   * Reads a file as a Blob with its stored Content-Type (for `<img src=URL.createObjectURL(…)>`).
   * @example
   * img.src = URL.createObjectURL(await whimsy.fs.readBlob('/photo.png'))
   */
  async readBlob(path: string | FileRef, options: ReadOptions = {}): Promise<Blob> {
    const { bytes, contentType } = await this.download('fs.readBlob', path, options)
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: contentType })
  }

  /**
   * A file as a stream of bytes, for large files.
   * @example
   * const reader = (await whimsy.fs.stream('/big.log')).getReader()
   */
  async stream(path: string | FileRef, options: Omit<ReadOptions, 'onProgress'> = {}): Promise<ReadableStream<Uint8Array>> {
    checkOptions('fs.stream', options, STREAM_OPTIONS)
    checkNotAborted('fs.stream', options.signal)
    return (await this.open(path, options)).stream
  }

  /**
   * A file's or folder's details; `NotFound` if there is neither.
   * @example
   * const { size, modified, etag, contentType } = await whimsy.fs.stat('/notes/todo.txt')
   */
  async stat(path: string | FileRef, options: CallOptions = {}): Promise<FileInfo> {
    return this.statOf('fs.stat', path, options)
  }

  private async statOf(call: string, path: string | FileRef, options: CallOptions): Promise<FileInfo> {
    const { signal } = checkOptions<CallOptions>(call, options, CALL_OPTIONS)
    checkNotAborted(call, signal)
    const place = await this.target(path)
    const label = printable(place.path)
    if (place.file) {
      const head = await this.head(place.file, label, signal)
      if (head) return fileInfo(place.path, place.file, head)
    }
    // Not a file: a folder exists if anything (even just its marker) lives under it.
    const page = await this.run(label, () =>
      this.ctx.s3.send(new ListObjectsV2Command({ Bucket: this.ctx.config.bucket, Prefix: place.folder, MaxKeys: 1 }), { abortSignal: signal }),
    )
    if ((page.KeyCount ?? 0) > 0 || isRoot(place))
      return { name: nameOf(place.path), path: place.path, key: place.folder, type: 'folder', size: 0, metadata: {} }
    throw new WhimsyError('NotFound', `${label} does not exist.`, { status: 404 })
  }

  /**
   * Whether a file or folder exists.
   * @example
   * if (!(await whimsy.fs.exists('/notes'))) await whimsy.fs.mkdir('/notes')
   */
  async exists(path: string | FileRef, options: CallOptions = {}): Promise<boolean> {
    try {
      await this.statOf('fs.exists', path, options)
      return true
    } catch (e) {
      if (e instanceof WhimsyError && e.code === 'NotFound') return false
      throw e
    }
  }

  /**
   * The entries of a folder (folders first within each page, then files, by name), or with
   * `recursive` every file below it. Pages are fetched as you iterate, so a folder of
   * 100,000 files streams instead of loading at once.
   * Each entry can be passed back to the other verbs to act on exactly it, whatever its name.
   * @example
   * for await (const entry of whimsy.fs.list('/notes')) console.log(entry.type, entry.path)
   * for await (const entry of whimsy.fs.list('/inbox')) await whimsy.fs.remove(entry) // even names the path rules refuse
   */
  list(path: string | FileRef = '/', options: ListOptions = {}): AsyncGenerator<FileEntry> {
    // Checked now, not at the first iteration: a generator's body runs only when iterated.
    checkOptions('fs.list', options, LIST_OPTIONS)
    checkNotAborted('fs.list', options.signal)
    const pages = async function* (this: Files): AsyncGenerator<FileEntry> {
      let cursor: string | undefined
      do {
        const page = await this.listPage(path, { ...options, cursor })
        yield* page.entries
        cursor = page.cursor
      } while (cursor)
    }
    return pages.call(this)
  }

  /**
   * One page of a listing and the cursor of the next (for UIs that page on demand).
   * @example
   * const { entries, cursor } = await whimsy.fs.listPage('/photos', { pageSize: 100 })
   */
  async listPage(path: string | FileRef = '/', options: ListOptions & { cursor?: string } = {}): Promise<{ entries: FileEntry[]; cursor?: string }> {
    checkOptions('fs.listPage', options, LIST_PAGE_OPTIONS)
    checkNotAborted('fs.listPage', options.signal)
    const { id, folder: prefix, path: listed } = await this.target(path)
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (EncodingType: keys XML cannot carry)
    const page = await this.run(printable(listed), () =>
      this.ctx.s3.send(
        new ListObjectsV2Command({
          Bucket: this.ctx.config.bucket,
          Prefix: prefix,
          Delimiter: options.recursive ? undefined : '/',
          MaxKeys: options.pageSize ?? 1000,
          ContinuationToken: options.cursor,
          EncodingType: 'url',
        }),
        { abortSignal: options.signal },
      ),
    )
    const decode = (value: string) => decodeListedKey(value, page.EncodingType)
    const folders: FileEntry[] = (page.CommonPrefixes ?? []).flatMap((p) => {
      if (!p.Prefix) return []
      const key = decode(p.Prefix)
      const folder = pathOfKey(id, key)
      return [{ name: nameOf(folder), path: folder, key, type: 'folder' as const, size: 0 }]
    })
    const files: FileEntry[] = (page.Contents ?? []).flatMap((o) => {
      // Folder markers (keys ending in "/") keep empty folders alive; they are not files.
      if (!o.Key || o.Key.endsWith('/')) return []
      const key = decode(o.Key)
      const file = pathOfKey(id, key)
      return [
        {
          name: nameOf(file),
          path: file,
          key,
          type: 'file' as const,
          size: o.Size ?? 0,
          modified: o.LastModified,
          etag: o.ETag,
          contentType: contentTypeFor(file),
        },
      ]
    })
    return { entries: [...folders, ...files], cursor: page.IsTruncated ? page.NextContinuationToken : undefined }
  }

  /**
   * Creates a folder (and keeps it while empty, with a marker that listings hide).
   * @example
   * await whimsy.fs.mkdir('/photos/2026')
   */
  async mkdir(path: string, options: CallOptions = {}): Promise<void> {
    const { signal } = checkOptions<CallOptions>('fs.mkdir', options, CALL_OPTIONS)
    checkNotAborted('fs.mkdir', signal)
    const { file, folder, path: canonical } = await this.target(path, 'create')
    if (!file) return
    if (await this.head(file, canonical, signal)) throw new WhimsyError('Conflict', `${canonical} is a file; a folder cannot have the same name.`)
    await this.run(canonical, () =>
      this.ctx.s3.send(new PutObjectCommand({ Bucket: this.ctx.config.bucket, Key: folder, Body: new Uint8Array(0), ContentType: 'application/x-directory' }), {
        abortSignal: signal,
      }),
    )
  }

  /**
   * Removes a file, or a folder with `{ recursive: true }` (in batches, with progress). An
   * interrupted removal is finished by calling it again.
   * @example
   * await whimsy.fs.remove('/old', { recursive: true, onProgress: ({ loaded, total }) => … })
   */
  async remove(path: string | FileRef, options: RemoveOptions = {}): Promise<void> {
    checkOptions('fs.remove', options, REMOVE_OPTIONS)
    checkNotAborted('fs.remove', options.signal)
    const place = await this.target(path)
    const { id, file, folder, path: removed } = place
    const canonical = printable(removed)
    if (isRoot(place))
      throw new WhimsyError('InvalidPath', 'Removing your whole folder is not done by path; delete the account, or remove its folders one by one.')
    if (options.ifMatch !== undefined) {
      // A condition names one version of a file: S3 deletes only while it is current
      // (DeleteObject If-Match), so a file changed or removed meanwhile is a lost race.
      if (!file) throw new WhimsyError('InvalidInput', `fs.remove: ifMatch is for files; ${canonical} is a folder.`)
      const ifMatch = options.ifMatch
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
      await this.run(canonical, () =>
        this.ctx.s3.send(new DeleteObjectCommand({ Bucket: this.ctx.config.bucket, Key: file, IfMatch: ifMatch }), { abortSignal: options.signal }),
      ).catch((e: unknown) => {
        throw lostRace(e, canonical)
      })
      options.onProgress?.({ loaded: 1, total: 1, path: removed })
      return
    }
    if (file && (await this.head(file, canonical, options.signal))) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
      await this.run(canonical, () => this.ctx.s3.send(new DeleteObjectCommand({ Bucket: this.ctx.config.bucket, Key: file }), { abortSignal: options.signal }))
      options.onProgress?.({ loaded: 1, total: 1, path: removed })
      return
    }
    const keys = await this.allKeys(folder, canonical, options.signal)
    if (keys.length === 0) throw new WhimsyError('NotFound', `${canonical} does not exist.`, { status: 404 })
    const onlyMarker = keys.length === 1 && keys[0]?.key === folder
    if (!options.recursive && !onlyMarker)
      throw new WhimsyError('InvalidInput', `${canonical} is a folder with ${keys.length} item(s); pass { recursive: true } to remove it and everything in it.`)
    // Keys an XML body cannot carry go one at a time (s3-xml-keys.ts).
    const batches = deletionBatches(keys.map((k) => k.key))
    let loaded = 0
    options.onProgress?.({ loaded, total: keys.length })
    for (const batch of batches) {
      if (options.signal?.aborted)
        throw new WhimsyError('Aborted', `Removing ${canonical} was stopped after ${loaded} of ${keys.length}; remove it again to finish.`)
      if (batch.alone) {
        const [key] = batch.keys as [string]
        await this.run(printable(pathOfKey(id, key)), () => this.ctx.s3.send(new DeleteObjectCommand({ Bucket: this.ctx.config.bucket, Key: key })))
      } else {
        // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
        const result = await this.run(canonical, () =>
          this.ctx.s3.send(new DeleteObjectsCommand({ Bucket: this.ctx.config.bucket, Delete: { Objects: batch.keys.map((Key) => ({ Key })), Quiet: true } })),
        )
        const failed = result.Errors?.[0]
        if (failed)
          throw toWhimsyError(
            Object.assign(new Error(failed.Message ?? 'Delete failed'), { name: failed.Code }),
            printable(pathOfKey(id, failed.Key ?? `${id}/`)),
          )
      }
      loaded += batch.keys.length
      options.onProgress?.({ loaded, total: keys.length, path: removed })
    }
  }

  /**
   * Copies a file or a whole folder, server-side (no bytes through the browser). Existing
   * files at the destination are replaced, unless `{ overwrite: false }` (then `Conflict`).
   * Re-running an interrupted copy finishes it.
   * @example
   * await whimsy.fs.copy('/drafts', '/public/posts', { onProgress: ({ loaded, total }) => … })
   */
  async copy(from: string | FileRef, to: string, options: TransferOptions = {}): Promise<void> {
    checkOptions('fs.copy', options, TRANSFER_OPTIONS)
    checkNotAborted('fs.copy', options.signal)
    await this.transfer(from, to, options, false)
  }

  /**
   * Moves a file or a whole folder: each object is copied, the copy verified, and only then
   * the original deleted — an interruption never loses a file, and moving again finishes.
   * An existing file at the destination is replaced, unless `{ overwrite: false }` (then
   * `Conflict`). Publishing is moving into `/public`.
   * @example
   * await whimsy.fs.move('/a.txt', '/public/a.txt')
   */
  async move(from: string | FileRef, to: string, options: TransferOptions = {}): Promise<void> {
    checkOptions('fs.move', options, TRANSFER_OPTIONS)
    checkNotAborted('fs.move', options.signal)
    await this.transfer(from, to, options, true)
  }

  /**
   * The public address of a file in `/public`: on the user's site once they have a handle,
   * else the bucket's public URL.
   * @example
   * whimsy.fs.publicUrl('/public/a.txt') // 'https://danielx.whimsy.space/a.txt'
   */
  publicUrl(path: string | FileRef): string {
    return publicUrlOf(this.ctx, path)
  }

  /**
   * A time-limited link to a private file that anyone holding it can open (presigned GET).
   * Links are signed with the session's temporary credentials, so they last at most 55 minutes
   * (default 15).
   * @example
   * const link = await whimsy.fs.shareUrl('/private.pdf', { expiresIn: 600 })
   */
  async shareUrl(path: string | FileRef, options: CallOptions & { expiresIn?: number } = {}): Promise<string> {
    const checked = checkOptions<CallOptions & { expiresIn?: number }>('fs.shareUrl', options, {
      expiresIn: is.wholeNumber(1, MAX_SHARE_SECONDS, ' of seconds'),
      signal: is.signal,
    })
    const expiresIn = checked.expiresIn ?? DEFAULT_SHARE_SECONDS
    checkNotAborted('fs.shareUrl', checked.signal)
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_SHARE_SECONDS)
      throw new WhimsyError(
        'InvalidInput',
        `expiresIn is whole seconds from 1 to ${MAX_SHARE_SECONDS}: share links are signed with your session's temporary credentials.`,
      )
    const { file: key, path: shared } = await this.target(path)
    const label = printable(shared)
    if (!key) throw new WhimsyError('InvalidPath', `${label} is a folder: share links are for files.`)
    if (!(await this.head(key, label, checked.signal))) throw new WhimsyError('NotFound', `${label} does not exist.`, { status: 404 })
    // The link dies with the credentials that sign it: make sure they outlive it.
    const credentials = await this.ctx.auth.credentials()
    if (credentials.expiration.getTime() - Date.now() < (expiresIn + 60) * 1000) await this.ctx.auth.refreshCredentials()
    return getSignedUrl(this.ctx.s3, new GetObjectCommand({ Bucket: this.ctx.config.bucket, Key: key }), { expiresIn })
  }

  /**
   * Bytes and files stored under the user's root.
   * @example
   * const { bytes, files } = await whimsy.fs.usage()
   */
  async usage(options: CallOptions = {}): Promise<{ bytes: number; files: number }> {
    const { signal } = checkOptions<CallOptions>('fs.usage', options, CALL_OPTIONS)
    checkNotAborted('fs.usage', signal)
    // One request where the change feed keeps totals; listing the tree where it has none.
    const totals = await readUsage(this.ctx, signal)
    if (totals) return totals
    let bytes = 0
    let files = 0
    for await (const entry of this.list('/', { recursive: true, signal })) {
      bytes += entry.size
      files++
    }
    return { bytes, files }
  }

  // ————— internals —————

  /**
   * The place a verb acts on, checked before any request. `create`: the verb makes a name, so
   * only a path string (which follows the naming rules) will do, never an exact key.
   */
  private async target(input: string | FileRef, use: 'existing' | 'create' = 'existing'): Promise<Place> {
    this.precheck(input, use)
    const { identityId } = await this.ctx.auth.credentials()
    return placeOf(identityId, input)
  }

  /** The checks of `target` that need no request, for verbs that must make them all first. */
  private precheck(input: string | FileRef, use: 'existing' | 'create' = 'existing'): void {
    if (use === 'create' && typeof input !== 'string')
      throw new WhimsyError('InvalidPath', 'A new name is given as a path string, which is checked by the naming rules; entries only name what already exists.')
    // Checked before the network, but the rules need the identityId: use the known one.
    const known = this.ctx.auth.user?.identityId
    if (known || typeof input === 'string') placeOf(known ?? 'us-east-1:00000000-0000-0000-0000-000000000000', input)
  }

  private run<T>(what: string, call: () => Promise<T>): Promise<T> {
    return this.ctx.auth.withCredentials(call).catch((e: unknown) => {
      throw toWhimsyError(e, what)
    })
  }

  /** HeadObject, or undefined when there is no such file. */
  private async head(key: string, label: string, signal?: AbortSignal): Promise<HeadObjectCommandOutput | undefined> {
    try {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
      return await this.run(label, () => this.ctx.s3.send(new HeadObjectCommand({ Bucket: this.ctx.config.bucket, Key: key }), { abortSignal: signal }))
    } catch (e) {
      if (e instanceof WhimsyError && e.code === 'NotFound') return undefined
      throw e
    }
  }

  /** A whole file (or range) in memory, reporting progress as bytes arrive. */
  private async download(call: string, path: string | FileRef, options: ReadOptions): Promise<{ bytes: Uint8Array; contentType?: string }> {
    checkOptions(call, options, READ_OPTIONS)
    checkNotAborted(call, options.signal)
    const { stream, total, contentType } = await this.open(path, options)
    options.onProgress?.({ loaded: 0, total })
    const bytes = await readAllBytes(stream, (loaded) => options.onProgress?.({ loaded, total }), options.signal).catch((e: unknown) => {
      if (options.signal?.aborted) throw new WhimsyError('Aborted', 'The download was cancelled.', { cause: e })
      throw toWhimsyError(e, labelOf(path))
    })
    return { bytes, contentType }
  }

  private async open(
    path: string | FileRef,
    options: Omit<ReadOptions, 'onProgress'>,
  ): Promise<{ stream: ReadableStream<Uint8Array>; total?: number; contentType?: string }> {
    const { file: key, path: opened } = await this.target(path)
    const canonical = printable(opened)
    if (!key) throw new WhimsyError('InvalidPath', `${canonical} is a folder, not a file.`)
    const range = options.range
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
    const got = await this.run(canonical, () =>
      this.ctx.s3.send(
        new GetObjectCommand({ Bucket: this.ctx.config.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined }),
        { abortSignal: options.signal },
      ),
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

  /** Every key under a folder prefix (markers included), with sizes and ETags. */
  private async allKeys(prefix: string, label: string, signal?: AbortSignal): Promise<{ key: string; size: number; etag?: string }[]> {
    const keys: { key: string; size: number; etag?: string }[] = []
    let token: string | undefined
    do {
      const page = await this.run(label, () =>
        this.ctx.s3.send(new ListObjectsV2Command({ Bucket: this.ctx.config.bucket, Prefix: prefix, ContinuationToken: token, EncodingType: 'url' }), {
          abortSignal: signal,
        }),
      )
      for (const o of page.Contents ?? []) if (o.Key) keys.push({ key: decodeListedKey(o.Key, page.EncodingType), size: o.Size ?? 0, etag: o.ETag })
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return keys
  }

  private async transfer(from: string | FileRef, to: string, options: TransferOptions, move: boolean): Promise<void> {
    // Both ends are checked before the first request (resolving the source may fetch credentials).
    this.precheck(from)
    this.precheck(to, 'create')
    const source = await this.target(from)
    // The destination is a new name: it follows the rules (names inside a folder keep theirs).
    const destination = await this.target(to, 'create')
    const { id } = source
    const label = printable(source.path)
    const verb = move ? 'move' : 'copy'
    if (isRoot(source)) throw new WhimsyError('InvalidPath', `Cannot ${verb} your whole folder.`)
    if (!destination.file) throw new WhimsyError('InvalidPath', `Give the ${verb} a destination name, not "/".`)
    if (destination.file === source.file || destination.folder.startsWith(source.folder))
      throw new WhimsyError('InvalidPath', `Cannot ${verb} ${label} into itself (${destination.path}).`)

    const target = destination.file
    const file = source.file ? await this.head(source.file, label, options.signal) : undefined
    const items =
      source.file && file
        ? [{ from: source.file, to: target, size: Number(file.ContentLength ?? 0), etag: file.ETag }]
        : (await this.allKeys(source.folder, label, options.signal)).map((k) => ({
            from: k.key,
            to: destination.folder + k.key.slice(source.folder.length),
            size: k.size,
            etag: k.etag,
          }))
    if (items.length === 0) throw new WhimsyError('NotFound', `${label} does not exist.`, { status: 404 })
    const overwrite = options.overwrite ?? true
    if (!overwrite && !source.file) {
      // A folder is refused whole before anything moves: one existing file would otherwise stop
      // it half-way. Each copy still carries If-None-Match, for files written meanwhile.
      const taken = new Set((await this.allKeys(destination.folder, printable(destination.path), options.signal)).map((k) => k.key))
      const clash = items.find((item) => taken.has(item.to) && !item.to.endsWith('/'))
      if (clash) throw new WhimsyError('Conflict', `${printable(pathOfKey(id, clash.to))} already exists; ${verb} with overwrite: true to replace it.`)
    }

    let loaded = 0
    options.onProgress?.({ loaded, total: items.length })
    const queue = [...items]
    let failed = false
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        if (options.signal?.aborted || failed) return
        // Not given the signal: a request abandoned half-way may still be carried out by S3 (a
        // delete landing after the next run listed its source), so a stop waits for the items
        // in flight and never leaves one half done.
        await this.transferOne(item, move, overwrite || item.to.endsWith('/')).catch((e: unknown) => {
          failed = true // the other workers stop too: a retry must not race them
          throw e
        })
        loaded++
        options.onProgress?.({ loaded, total: items.length, path: pathOfKey(id, item.to) })
      }
    }
    await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, items.length) }, worker))
    if (options.signal?.aborted) throw new WhimsyError('Aborted', `The ${verb} was stopped after ${loaded} of ${items.length} items; ${verb} again to finish.`)
  }

  private async transferOne(item: { from: string; to: string; size: number; etag?: string }, move: boolean, overwrite: boolean): Promise<void> {
    const { bucket } = this.ctx.config
    const id = item.from.slice(0, item.from.indexOf('/'))
    const what = printable(pathOfKey(id, item.from))
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html — copy the version we
    // listed (CopySourceIfMatch): a file changed meanwhile fails as Conflict instead.
    // Without overwrite, If-None-Match: * makes S3 refuse a destination that exists (412).
    const copy = await this.run(what, () =>
      this.ctx.s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: item.to,
          CopySource: `${bucket}/${item.from.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: item.etag,
          IfNoneMatch: overwrite ? undefined : '*',
        }),
      ),
    ).catch(async (e: unknown) => {
      // Both conditions fail as 412: say which one, so the message names the right file.
      if (overwrite || !(e instanceof WhimsyError && e.code === 'Conflict') || !(await this.head(item.to, what))) throw e
      throw new WhimsyError('Conflict', `${printable(pathOfKey(id, item.to))} already exists; ${move ? 'move' : 'copy'} with overwrite: true to replace it.`, {
        cause: e.cause,
        status: e.status,
      })
    })
    if (!move) return
    // Verify before deleting: the destination must be our copy (same ETag as the copy made,
    // nobody wrote over it since), whole (the listed size).
    const copied = await this.run(what, () => this.ctx.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: item.to })))
    if (Number(copied.ContentLength ?? -1) !== item.size || (copy.CopyObjectResult?.ETag && copied.ETag !== copy.CopyObjectResult.ETag))
      throw new WhimsyError('Conflict', `The copy of ${what} changed before it could be checked; the original was kept.`)
    // Delete only the version that was copied: one written meanwhile stays (IfMatch → Conflict).
    await this.run(what, () => this.ctx.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: item.from, IfMatch: item.etag })))
  }
}

/**
 * The S3 client with `signal` added to every call but the clean-up one and the create (whose
 * upload id is what the clean-up needs), for lib-storage, which sends its requests without a signal.
 */
function withAbortSignal(s3: S3Client, signal: AbortSignal): S3Client {
  return new Proxy(s3, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver)
      return (command: Parameters<S3Client['send']>[0], options?: { abortSignal?: AbortSignal }) =>
        target.send(
          command,
          command instanceof AbortMultipartUploadCommand || command instanceof CreateMultipartUploadCommand ? options : { ...options, abortSignal: signal },
        )
    },
  })
}

/** The user's root: no file, and removing, copying or moving it is refused. */
function isRoot(place: Place): boolean {
  return place.folder === `${place.id}/`
}

/** How messages name what a caller passed (before it is resolved, or when it failed to be). */
function labelOf(input: string | FileRef): string {
  // A key is `<identityId>/…` and identity ids have no "/": the rest is the user's path.
  return printable(typeof input === 'string' ? input : input.key.slice(input.key.indexOf('/')))
}

function fileInfo(path: string, key: string, head: HeadObjectCommandOutput): FileInfo {
  return {
    name: nameOf(path),
    path,
    key,
    type: 'file',
    size: Number(head.ContentLength ?? 0),
    modified: head.LastModified,
    etag: head.ETag,
    contentType: head.ContentType,
    metadata: head.Metadata ?? {},
  }
}

/** S3 user metadata travels in HTTP headers: printable ASCII only, 2 KB in all. */
function checkMetadata(metadata: Record<string, string> | undefined): void {
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

/**
 * A conditional call's NotFound as the `Conflict` it is: `ifMatch` names a version, and a file
 * deleted since no longer has it (S3 answers 404 NoSuchKey, not 412).
 */
function lostRace(e: unknown, label: string): unknown {
  if (!(e instanceof WhimsyError) || e.code !== 'NotFound') return e
  return new WhimsyError('Conflict', `${label} is no longer at that version: it was deleted meanwhile.`, { cause: e.cause, status: 412 })
}
