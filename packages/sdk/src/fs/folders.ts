/** Folder operations: `mkdir`, `remove` (in batches), and `copy`/`move` server-side (each move verified before its delete). */
import { checkNotAborted } from '../abort.js'
import { checkOptions } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import { type FileRef, pathOfKey, printable } from '../paths.js'
import { forEachInPool } from '../transport/pool.js'
import { CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, HeadObjectCommand, PutObjectCommand } from '../transport/s3/objects.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { CALL_OPTIONS, REMOVE_OPTIONS, TRANSFER_OPTIONS } from './options.js'
import { allKeys, head, lostRace, run } from './requests.js'
import { isRoot, precheck, target } from './targets.js'
import type { CallOptions, RemoveOptions, TransferOptions } from './types.js'
import { deletionBatches } from './xml-keys.js'

const COPY_CONCURRENCY = 8

export async function mkdir(ctx: WhimsyContext, path: string, options: CallOptions = {}): Promise<void> {
  const { signal } = checkOptions<CallOptions>('fs.mkdir', options, CALL_OPTIONS)
  checkNotAborted('fs.mkdir', signal)
  const { file, folder, path: canonical } = await target(ctx, path, 'create')
  if (!file) return
  if (await head(ctx, file, canonical, signal)) throw new WhimsyError('Conflict', `${canonical} is a file; a folder cannot have the same name.`)
  await run(ctx, canonical, () =>
    ctx.s3.send(new PutObjectCommand({ Bucket: ctx.config.bucket, Key: folder, Body: new Uint8Array(0), ContentType: 'application/x-directory' }), {
      abortSignal: signal,
    }),
  )
}

export async function remove(ctx: WhimsyContext, path: string | FileRef, options: RemoveOptions = {}): Promise<void> {
  checkOptions('fs.remove', options, REMOVE_OPTIONS)
  checkNotAborted('fs.remove', options.signal)
  const place = await target(ctx, path)
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
    await run(ctx, canonical, () =>
      ctx.s3.send(new DeleteObjectCommand({ Bucket: ctx.config.bucket, Key: file, IfMatch: ifMatch }), { abortSignal: options.signal }),
    ).catch((e: unknown) => {
      throw lostRace(e, canonical)
    })
    options.onProgress?.({ loaded: 1, total: 1, path: removed })
    return
  }
  if (file && (await head(ctx, file, canonical, options.signal))) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
    await run(ctx, canonical, () => ctx.s3.send(new DeleteObjectCommand({ Bucket: ctx.config.bucket, Key: file }), { abortSignal: options.signal }))
    options.onProgress?.({ loaded: 1, total: 1, path: removed })
    return
  }
  const keys = await allKeys(ctx, folder, canonical, options.signal)
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
      await run(ctx, printable(pathOfKey(id, key)), () => ctx.s3.send(new DeleteObjectCommand({ Bucket: ctx.config.bucket, Key: key })))
    } else {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
      const result = await run(ctx, canonical, () =>
        ctx.s3.send(new DeleteObjectsCommand({ Bucket: ctx.config.bucket, Delete: { Objects: batch.keys.map((Key) => ({ Key })), Quiet: true } })),
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

export async function copy(ctx: WhimsyContext, from: string | FileRef, to: string, options: TransferOptions = {}): Promise<void> {
  checkOptions('fs.copy', options, TRANSFER_OPTIONS)
  checkNotAborted('fs.copy', options.signal)
  await transfer(ctx, from, to, options, false)
}

export async function move(ctx: WhimsyContext, from: string | FileRef, to: string, options: TransferOptions = {}): Promise<void> {
  checkOptions('fs.move', options, TRANSFER_OPTIONS)
  checkNotAborted('fs.move', options.signal)
  await transfer(ctx, from, to, options, true)
}

export async function transfer(ctx: WhimsyContext, from: string | FileRef, to: string, options: TransferOptions, move: boolean): Promise<void> {
  // Both ends are checked before the first request (resolving the source may fetch credentials).
  precheck(ctx, from)
  precheck(ctx, to, 'create')
  const source = await target(ctx, from)
  // The destination is a new name: it follows the rules (names inside a folder keep theirs).
  const destination = await target(ctx, to, 'create')
  const { id } = source
  const label = printable(source.path)
  const verb = move ? 'move' : 'copy'
  if (isRoot(source)) throw new WhimsyError('InvalidPath', `Cannot ${verb} your whole folder.`)
  if (!destination.file) throw new WhimsyError('InvalidPath', `Give the ${verb} a destination name, not "/".`)
  if (destination.file === source.file || destination.folder.startsWith(source.folder))
    throw new WhimsyError('InvalidPath', `Cannot ${verb} ${label} into itself (${destination.path}).`)

  const destinationKey = destination.file
  const file = source.file ? await head(ctx, source.file, label, options.signal) : undefined
  const items =
    source.file && file
      ? [{ from: source.file, to: destinationKey, size: Number(file.ContentLength ?? 0), etag: file.ETag }]
      : (await allKeys(ctx, source.folder, label, options.signal)).map((k) => ({
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
    const taken = new Set((await allKeys(ctx, destination.folder, printable(destination.path), options.signal)).map((k) => k.key))
    const clash = items.find((item) => taken.has(item.to) && !item.to.endsWith('/'))
    if (clash) throw new WhimsyError('Conflict', `${printable(pathOfKey(id, clash.to))} already exists; ${verb} with overwrite: true to replace it.`)
  }

  let loaded = 0
  options.onProgress?.({ loaded, total: items.length })
  // Not given the signal: a request abandoned half-way may still be carried out by S3 (a
  // delete landing after the next run listed its source), so a stop waits for the items in
  // flight and never leaves one half done. A failure stops the rest too: a retry must not race them.
  await forEachInPool(
    items,
    COPY_CONCURRENCY,
    async (item) => {
      await transferOne(ctx, item, move, overwrite || item.to.endsWith('/'))
      loaded++
      options.onProgress?.({ loaded, total: items.length, path: pathOfKey(id, item.to) })
    },
    { signal: options.signal },
  )
  if (options.signal?.aborted) throw new WhimsyError('Aborted', `The ${verb} was stopped after ${loaded} of ${items.length} items; ${verb} again to finish.`)
}

export async function transferOne(
  ctx: WhimsyContext,
  item: { from: string; to: string; size: number; etag?: string },
  move: boolean,
  overwrite: boolean,
): Promise<void> {
  const { bucket } = ctx.config
  const id = item.from.slice(0, item.from.indexOf('/'))
  const what = printable(pathOfKey(id, item.from))
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html — copy the version we
  // listed (CopySourceIfMatch): a file changed meanwhile fails as Conflict instead.
  // Without overwrite, If-None-Match: * makes S3 refuse a destination that exists (412).
  const copy = await run(ctx, what, () =>
    ctx.s3.send(
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
    if (overwrite || !(e instanceof WhimsyError && e.code === 'Conflict') || !(await head(ctx, item.to, what))) throw e
    throw new WhimsyError('Conflict', `${printable(pathOfKey(id, item.to))} already exists; ${move ? 'move' : 'copy'} with overwrite: true to replace it.`, {
      cause: e.cause,
      status: e.status,
    })
  })
  if (!move) return
  // Verify before deleting: the destination must be our copy (same ETag as the copy made,
  // nobody wrote over it since), whole (the listed size).
  const copied = await run(ctx, what, () => ctx.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: item.to })))
  if (Number(copied.ContentLength ?? -1) !== item.size || (copy.CopyObjectResult?.ETag && copied.ETag !== copy.CopyObjectResult.ETag))
    throw new WhimsyError('Conflict', `The copy of ${what} changed before it could be checked; the original was kept.`)
  // Delete only the version that was copied: one written meanwhile stays (IfMatch → Conflict).
  await run(ctx, what, () => ctx.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: item.from, IfMatch: item.etag })))
}
