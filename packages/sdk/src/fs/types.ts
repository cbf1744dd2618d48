/** The public types of `whimsy.fs`: entries, progress and each verb's options. */
import type { FileRef } from '../paths.js'

export type { FileRef }

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
