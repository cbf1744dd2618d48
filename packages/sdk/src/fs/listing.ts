/** `fs.stat`, `exists`, `list`, `listPage` and `usage`: what is there, from HEAD and ListObjectsV2. */
import { checkNotAborted } from '../abort.js'
import { checkOptions } from '../args.js'
import { readUsage } from '../changes/usage.js'
import { WhimsyError } from '../errors.js'
import { type FileRef, nameOf, pathOfKey, printable } from '../paths.js'
import { ListObjectsV2Command } from '../transport/s3/objects.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { contentTypeFor } from './content-types.js'
import { CALL_OPTIONS, LIST_OPTIONS, LIST_PAGE_OPTIONS } from './options.js'
import { fileInfo, head, run } from './requests.js'
import { isRoot, target } from './targets.js'
import type { CallOptions, FileEntry, FileInfo, ListOptions } from './types.js'
import { decodeListedKey } from './xml-keys.js'

export async function stat(ctx: WhimsyContext, path: string | FileRef, options: CallOptions = {}): Promise<FileInfo> {
  return statOf(ctx, 'fs.stat', path, options)
}

export async function statOf(ctx: WhimsyContext, call: string, path: string | FileRef, options: CallOptions): Promise<FileInfo> {
  const { signal } = checkOptions<CallOptions>(call, options, CALL_OPTIONS)
  checkNotAborted(call, signal)
  const place = await target(ctx, path)
  const label = printable(place.path)
  if (place.file) {
    const found = await head(ctx, place.file, label, signal)
    if (found) return fileInfo(place.path, place.file, found)
  }
  // Not a file: a folder exists if anything (even just its marker) lives under it.
  const page = await run(ctx, label, () =>
    ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.config.bucket, Prefix: place.folder, MaxKeys: 1 }), { abortSignal: signal }),
  )
  if ((page.KeyCount ?? 0) > 0 || isRoot(place)) return { name: nameOf(place.path), path: place.path, key: place.folder, type: 'folder', size: 0, metadata: {} }
  throw new WhimsyError('NotFound', `${label} does not exist.`, { status: 404 })
}

export async function exists(ctx: WhimsyContext, path: string | FileRef, options: CallOptions = {}): Promise<boolean> {
  try {
    await statOf(ctx, 'fs.exists', path, options)
    return true
  } catch (e) {
    if (e instanceof WhimsyError && e.code === 'NotFound') return false
    throw e
  }
}

export function list(ctx: WhimsyContext, path: string | FileRef = '/', options: ListOptions = {}): AsyncGenerator<FileEntry> {
  // Checked now, not at the first iteration: a generator's body runs only when iterated.
  checkOptions('fs.list', options, LIST_OPTIONS)
  checkNotAborted('fs.list', options.signal)
  const pages = async function* (): AsyncGenerator<FileEntry> {
    let cursor: string | undefined
    do {
      const page = await listPage(ctx, path, { ...options, cursor })
      yield* page.entries
      cursor = page.cursor
    } while (cursor)
  }
  return pages()
}

export async function listPage(
  ctx: WhimsyContext,
  path: string | FileRef = '/',
  options: ListOptions & { cursor?: string } = {},
): Promise<{ entries: FileEntry[]; cursor?: string }> {
  checkOptions('fs.listPage', options, LIST_PAGE_OPTIONS)
  checkNotAborted('fs.listPage', options.signal)
  const { id, folder: prefix, path: listed } = await target(ctx, path)
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (EncodingType: keys XML cannot carry)
  const page = await run(ctx, printable(listed), () =>
    ctx.s3.send(
      new ListObjectsV2Command({
        Bucket: ctx.config.bucket,
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

export async function usage(ctx: WhimsyContext, options: CallOptions = {}): Promise<{ bytes: number; files: number }> {
  const { signal } = checkOptions<CallOptions>('fs.usage', options, CALL_OPTIONS)
  checkNotAborted('fs.usage', signal)
  // One request where the change feed keeps totals; listing the tree where it has none.
  const totals = await readUsage(ctx, signal)
  if (totals) return totals
  let bytes = 0
  let files = 0
  for await (const entry of list(ctx, '/', { recursive: true, signal })) {
    bytes += entry.size
    files++
  }
  return { bytes, files }
}
