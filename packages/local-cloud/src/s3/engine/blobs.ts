/**
 * Body files, named by random ids (`blobs/<2 hex>/<id>`), never by the object key, so no
 * key can name a path. A body streams into `tmp/<id>` while it is hashed, is fsync'd, then
 * renamed into place and its directory fsync'd: after `write` resolves the file survives a
 * crash, and a body file is never changed again (readers hold it open; overwrites write a
 * new one).
 */
import { randomBytes } from 'node:crypto'
import { type FileHandle, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'

export interface ChunkSink {
  update(chunk: Buffer): void
}

export class Blobs {
  private readonly tmpDir: string
  private readonly blobDir: string

  constructor(dir: string) {
    this.tmpDir = join(dir, 'tmp')
    this.blobDir = join(dir, 'blobs')
  }

  async init(): Promise<void> {
    // Temp files are bodies whose write never finished: nothing references them.
    await rm(this.tmpDir, { recursive: true, force: true })
    await mkdir(this.tmpDir, { recursive: true })
    await mkdir(this.blobDir, { recursive: true })
    // All 256 shards exist (and are durable) before any write, so a write never creates a directory.
    for (let shard = 0; shard < 256; shard++) await mkdir(join(this.blobDir, shard.toString(16).padStart(2, '0')), { recursive: true })
    await syncDir(this.blobDir)
    // And the blobs directory's own entry: on a fresh data directory it is new too, and the
    // metadata store syncs only its own directory.
    await syncDir(dirname(this.blobDir))
  }

  path(id: string): string {
    return join(this.blobDir, id.slice(0, 2), id)
  }

  /**
   * Streams `sources` (one after the other) into a new body file, feeding every chunk to
   * `sink` (which may throw to abort, e.g. a body longer than declared). `check` runs before
   * the file is made durable: if it throws, nothing is kept.
   */
  async write(sources: Iterable<Readable | (() => Promise<Readable>)>, sink: ChunkSink, check: () => Promise<void>): Promise<string> {
    const id = randomBytes(16).toString('hex')
    const tmp = join(this.tmpDir, id)
    const file = await open(tmp, 'wx')
    let kept = false
    try {
      for (const entry of sources) {
        const source = typeof entry === 'function' ? await entry() : entry
        for await (const chunk of source) {
          const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
          sink.update(buffer)
          await writeAll(file, buffer)
        }
      }
      await check()
      await file.sync()
      await file.close()
      await rename(tmp, this.path(id))
      await syncDir(join(this.blobDir, id.slice(0, 2)))
      kept = true
      return id
    } finally {
      if (!kept) {
        await file.close().catch(() => {})
        await unlink(tmp).catch(() => {})
      }
    }
  }

  /** Opens the body for reading; ENOENT means the version was replaced since it was resolved. */
  async open(id: string): Promise<FileHandle> {
    return open(this.path(id), 'r')
  }

  async remove(ids: Iterable<string>): Promise<void> {
    for (const id of ids) await unlink(this.path(id)).catch(() => {})
  }

  /** Deletes body files no record references (left by a crash between rename and commit). */
  async sweep(referenced: Set<string>): Promise<number> {
    let removed = 0
    for (const shard of await readdir(this.blobDir)) {
      for (const id of await readdir(join(this.blobDir, shard))) {
        if (referenced.has(id)) continue
        await unlink(join(this.blobDir, shard, id)).catch(() => {})
        removed++
      }
    }
    return removed
  }
}

async function writeAll(file: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0
  while (offset < buffer.length) {
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset)
    offset += bytesWritten
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
