/**
 * `whimsy.fs`: the user's folder as a filesystem. Paths are the user's own (`/` is their
 * private root, `/public/` their website); keys are `<identityId>/…`, which apps never see.
 * Every path is checked before any request (`../paths.ts`, `targets.ts`); every AWS failure
 * becomes a `WhimsyError` in one place (`../aws-errors.ts`). Verbs that act on what exists also
 * take a listed entry (its exact `key`), so whatever a listing shows can be read, moved and
 * removed; verbs that create a name take only a path, so every new name follows the rules.
 *
 * This is the noun and its documentation; each verb's work is in the module named for it:
 * `writes.ts` (with `multipart-upload.ts` and `stream-upload.ts`), `reads.ts`, `listing.ts`,
 * `folders.ts`, `sharing.ts`, over what they share (`targets.ts`, `requests.ts`).
 */
import type { ChangeEvent } from '../changes/types.js'
import { type WatchOptions, watchFolder } from '../changes/watch.js'
import type { FileRef } from '../paths.js'
import type { WhimsyContext } from '../whimsy-context.js'
import type { FileBody } from './bodies.js'
import * as folders from './folders.js'
import * as listing from './listing.js'
import { publicUrlOf } from './public-url.js'
import * as reads from './reads.js'
import * as sharing from './sharing.js'
import type { CallOptions, FileEntry, FileInfo, ListOptions, ReadOptions, RemoveOptions, TransferOptions, UploadOptions } from './types.js'
import type { UploadTask } from './upload-task.js'
import * as writes from './writes.js'

export type {
  CallOptions,
  FileEntry,
  FileInfo,
  FileRef,
  FolderOptions,
  ListOptions,
  Progress,
  ReadOptions,
  RemoveOptions,
  TransferOptions,
  UploadOptions,
  WriteOptions,
} from './types.js'
export type { UploadState, UploadTask } from './upload-task.js'

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
    return writes.write(this.ctx, path, data, options)
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
    return writes.upload(this.ctx, path, data, options)
  }

  /**
   * Reads a file's bytes (or a byte range).
   * @example
   * const bytes = await whimsy.fs.read('/photo.png', { onProgress: ({ loaded, total }) => … })
   */
  async read(path: string | FileRef, options: ReadOptions = {}): Promise<Uint8Array> {
    return reads.read(this.ctx, path, options)
  }

  /**
   * Reads a file as UTF-8 text.
   * @example
   * const todo = await whimsy.fs.readText('/notes/todo.txt')
   */
  async readText(path: string | FileRef, options: ReadOptions = {}): Promise<string> {
    return reads.readText(this.ctx, path, options)
  }

  /**
   * Reads and parses a JSON file; `InvalidInput` if it is not JSON.
   * @example
   * const settings = await whimsy.fs.readJSON<{ theme: string }>('/settings.json')
   */
  async readJSON<T = unknown>(path: string | FileRef, options: ReadOptions = {}): Promise<T> {
    return reads.readJSON(this.ctx, path, options)
  }

  /**
   * Reads a file as a Blob with its stored Content-Type (for `<img src=URL.createObjectURL(…)>`).
   * @example
   * img.src = URL.createObjectURL(await whimsy.fs.readBlob('/photo.png'))
   */
  async readBlob(path: string | FileRef, options: ReadOptions = {}): Promise<Blob> {
    return reads.readBlob(this.ctx, path, options)
  }

  /**
   * A file as a stream of bytes, for large files.
   * @example
   * const reader = (await whimsy.fs.stream('/big.log')).getReader()
   */
  async stream(path: string | FileRef, options: Omit<ReadOptions, 'onProgress'> = {}): Promise<ReadableStream<Uint8Array>> {
    return reads.stream(this.ctx, path, options)
  }

  /**
   * A file's or folder's details; `NotFound` if there is neither.
   * @example
   * const { size, modified, etag, contentType } = await whimsy.fs.stat('/notes/todo.txt')
   */
  async stat(path: string | FileRef, options: CallOptions = {}): Promise<FileInfo> {
    return listing.stat(this.ctx, path, options)
  }

  /**
   * Whether a file or folder exists.
   * @example
   * if (!(await whimsy.fs.exists('/notes'))) await whimsy.fs.mkdir('/notes')
   */
  async exists(path: string | FileRef, options: CallOptions = {}): Promise<boolean> {
    return listing.exists(this.ctx, path, options)
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
    return listing.list(this.ctx, path, options)
  }

  /**
   * One page of a listing and the cursor of the next (for UIs that page on demand).
   * @example
   * const { entries, cursor } = await whimsy.fs.listPage('/photos', { pageSize: 100 })
   */
  async listPage(path: string | FileRef = '/', options: ListOptions & { cursor?: string } = {}): Promise<{ entries: FileEntry[]; cursor?: string }> {
    return listing.listPage(this.ctx, path, options)
  }

  /**
   * Creates a folder (and keeps it while empty, with a marker that listings hide).
   * @example
   * await whimsy.fs.mkdir('/photos/2026')
   */
  async mkdir(path: string, options: CallOptions = {}): Promise<void> {
    return folders.mkdir(this.ctx, path, options)
  }

  /**
   * Removes a file, or a folder with `{ recursive: true }` (in batches, with progress). An
   * interrupted removal is finished by calling it again.
   * @example
   * await whimsy.fs.remove('/old', { recursive: true, onProgress: ({ loaded, total }) => … })
   */
  async remove(path: string | FileRef, options: RemoveOptions = {}): Promise<void> {
    return folders.remove(this.ctx, path, options)
  }

  /**
   * Copies a file or a whole folder, server-side (no bytes through the browser). Existing
   * files at the destination are replaced, unless `{ overwrite: false }` (then `Conflict`).
   * Re-running an interrupted copy finishes it.
   * @example
   * await whimsy.fs.copy('/drafts', '/public/posts', { onProgress: ({ loaded, total }) => … })
   */
  async copy(from: string | FileRef, to: string, options: TransferOptions = {}): Promise<void> {
    return folders.copy(this.ctx, from, to, options)
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
    return folders.move(this.ctx, from, to, options)
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
    return sharing.shareUrl(this.ctx, path, options)
  }

  /**
   * Bytes and files stored under the user's root.
   * @example
   * const { bytes, files } = await whimsy.fs.usage()
   */
  async usage(options: CallOptions = {}): Promise<{ bytes: number; files: number }> {
    return listing.usage(this.ctx, options)
  }
}
