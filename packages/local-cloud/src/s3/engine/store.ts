/**
 * The engine's metadata in LevelDB. Object keys are data inside record keys, never paths:
 * every record key is `<tag> NUL <bucket> NUL <object key> [NUL <suffix>]` as UTF-8 bytes.
 * NUL is refused in object keys, so the parts are prefix-free and LevelDB's bytewise order
 * over these records is S3's UTF-8 binary order over keys.
 *
 * Commits go through one group-commit queue: every batch waiting while the previous one is
 * being fsync'd is written together with `{ sync: true }`, so concurrent writers share one
 * fsync and a caller's promise resolves only once its records are on disk.
 */
import { ClassicLevel } from 'classic-level'
import type { ChecksumAlgorithm, ChecksumType, ObjectHeaders } from './types.js'

export const TAG = {
  bucket: 'B',
  /** The current (latest, not a delete marker) version of each key: what ListObjects walks. */
  current: 'C',
  /** Every version, newest first within a key (the suffix is the inverted commit sequence). */
  version: 'V',
  /** versionId → the inverted sequence of that version's `V` record. */
  versionIndex: 'I',
  upload: 'U',
  part: 'P',
  meta: 'M',
} as const

const NUL = Buffer.from([0])

/** A record key from its parts, joined by NUL. */
export function recordKey(tag: string, ...parts: string[]): Buffer {
  const buffers: Buffer[] = [Buffer.from(tag, 'utf8')]
  for (const part of parts) buffers.push(NUL, Buffer.from(part, 'utf8'))
  return Buffer.concat(buffers)
}

/** The smallest buffer greater than every buffer that starts with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0xff, 0xff, 0xff, 0xff])
}

/** Splits a record key back into its parts (without the tag). */
export function recordParts(key: Buffer): string[] {
  const parts: string[] = []
  let start = key.indexOf(0) + 1
  while (start > 0) {
    const next = key.indexOf(0, start)
    parts.push(key.subarray(start, next === -1 ? undefined : next).toString('utf8'))
    start = next + 1
  }
  return parts
}

/** Sorts versions newest first: the inverted sequence, fixed width hex. */
export function invertedSeq(seq: number): string {
  return (Number.MAX_SAFE_INTEGER - seq).toString(16).padStart(14, '0')
}

export interface BucketRecord {
  created: number
  versioning?: 'Enabled' | 'Suspended'
}

export interface VersionRecord {
  versionId: string
  isDeleteMarker: boolean
  etag: string
  size: number
  lastModified: number
  headers: ObjectHeaders
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType; value: string }
  parts?: { size: number; checksum?: string }[]
  /** The body file's id; absent for delete markers. */
  blob?: string
  seq: number
  /** When a newer version superseded this one (lifecycle counts NoncurrentDays from here). */
  noncurrentSince?: number
}

export interface UploadRecord {
  uploadId: string
  initiated: number
  headers: ObjectHeaders
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType }
}

export interface PartRecord {
  partNumber: number
  etag: string
  size: number
  lastModified: number
  blob: string
  checksum?: string
}

export type Operation = { type: 'put'; key: Buffer; value: unknown } | { type: 'del'; key: Buffer }

type Db = ClassicLevel<Buffer, unknown>

interface Pending {
  ops: Operation[]
  resolve: () => void
  reject: (error: unknown) => void
  after?: () => void
}

export class Store {
  private seq = 0
  private queue: Pending[] = []
  private writing: Promise<void> | undefined

  private constructor(readonly db: Db) {}

  static async open(location: string): Promise<Store> {
    const db: Db = new ClassicLevel<Buffer, unknown>(location, { keyEncoding: 'buffer', valueEncoding: 'json' })
    await db.open()
    const store = new Store(db)
    store.seq = ((await db.get(recordKey(TAG.meta, 'seq'))) as number | undefined) ?? 0
    return store
  }

  /** The next commit sequence number; persisted with the next batch. */
  nextSeq(): number {
    return ++this.seq
  }

  async get<T>(key: Buffer): Promise<T | undefined> {
    return (await this.db.get(key)) as T | undefined
  }

  /**
   * Writes `ops` in one synced batch. `after` runs once the batch is durable, in commit order
   * (events are published from it, so their sequencers reach listeners in order).
   */
  commit(ops: Operation[], after?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, resolve, reject, after })
      this.writing ??= this.flush()
    })
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue
        this.queue = []
        const ops: Operation[] = group.flatMap((p) => p.ops)
        ops.push({ type: 'put', key: recordKey(TAG.meta, 'seq'), value: this.seq })
        try {
          await this.db.batch(ops as never, { sync: true })
        } catch (error) {
          for (const p of group) p.reject(error)
          continue
        }
        for (const p of group) {
          try {
            p.after?.()
          } catch {
            // A failing observer must not fail a write that is already durable.
          }
          p.resolve()
        }
      }
    } finally {
      // Cleared in the same tick the queue was seen empty, so the next commit starts a flush.
      this.writing = undefined
    }
  }

  /** Entries whose keys start with `prefix`, in order, from `start` on. */
  async *entries<T>(prefix: Buffer, start: { gt?: Buffer; gte?: Buffer } = {}): AsyncGenerator<[Buffer, T]> {
    const iterator = this.iterator(prefix, start)
    try {
      for (;;) {
        const batch = await iterator.nextv(256)
        if (batch.length === 0) return
        for (const entry of batch) yield entry as [Buffer, T]
      }
    } finally {
      await iterator.close()
    }
  }

  /** An iterator over keys starting with `prefix`, from `start` on; it can seek (listing skips common prefixes). */
  iterator(prefix: Buffer, start: { gt?: Buffer; gte?: Buffer } = {}) {
    const range: { gt?: Buffer; gte?: Buffer; lt: Buffer } = { lt: prefixEnd(prefix) }
    const from = start.gt ?? start.gte
    if (from && Buffer.compare(from, prefix) >= 0) {
      if (start.gt) range.gt = start.gt
      else range.gte = from
    } else {
      range.gte = prefix
    }
    return this.db.iterator(range)
  }

  async close(): Promise<void> {
    // Batches already queued still land; nothing new should arrive once the engine is closing.
    await this.writing
    await this.db.close()
  }
}
