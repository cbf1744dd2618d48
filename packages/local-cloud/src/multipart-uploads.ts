/**
 * Gap: s3rver 3.7.1 implements CreateMultipartUpload, UploadPart and CompleteMultipartUpload,
 * but not ListParts, AbortMultipartUpload or ListMultipartUploads, and it accepts parts for an
 * upload id it never issued (or one already completed). Without those an aborted upload
 * cannot be cleaned up and an interrupted one cannot be resumed. The gateway answers them
 * here from s3rver's own upload directories (`<s3 dir>/<bucket>/._S3rver_uploads/<id>/`,
 * holding `key`, `metadata`, and per part `<n>` and `<n>.md5`).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

export interface UploadedPart {
  partNumber: number
  etag: string
  size: number
  lastModified: Date
}

export interface PendingUpload {
  key: string
  uploadId: string
  initiated: Date
}

/** s3rver's upload ids are hex; anything else could walk the filesystem. */
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/

export class MultipartUploads {
  private readonly inFlight = new Map<string, number>()
  /** Aborted uploads; kept, so a part that slips past the existence check still finds out. */
  private readonly aborting = new Set<string>()

  constructor(private readonly s3DataDir: string) {}

  /** Runs a part upload, counted, so `abort` can wait for it. */
  async whilePartInFlight<T>(bucket: string, uploadId: string, run: () => Promise<T>): Promise<T> {
    const id = `${bucket}/${uploadId}`
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1)
    try {
      return await run()
    } finally {
      const left = (this.inFlight.get(id) ?? 1) - 1
      if (left === 0) this.inFlight.delete(id)
      else this.inFlight.set(id, left)
    }
  }

  isAborting(bucket: string, uploadId: string): boolean {
    return this.aborting.has(`${bucket}/${uploadId}`)
  }

  private uploadsDir(bucket: string): string {
    return join(this.s3DataDir, bucket, '._S3rver_uploads')
  }

  private dir(bucket: string, uploadId: string): string | undefined {
    return UPLOAD_ID.test(uploadId) && !/[/\\.]/.test(bucket) ? join(this.uploadsDir(bucket), uploadId) : undefined
  }

  /** Whether `uploadId` is an upload in progress for exactly this key. */
  async isPendingFor(bucket: string, key: string, uploadId: string): Promise<boolean> {
    const dir = this.dir(bucket, uploadId)
    if (!dir) return false
    const stored = await readFile(join(dir, 'key'), 'utf8').catch(() => undefined)
    return stored === key
  }

  async parts(bucket: string, uploadId: string): Promise<UploadedPart[]> {
    const dir = this.dir(bucket, uploadId)
    if (!dir) return []
    const names = (await readdir(dir)).filter((n) => /^\d+$/.test(n))
    const parts = await Promise.all(
      names.map(async (name) => {
        const [info, md5] = await Promise.all([stat(join(dir, name)), readFile(join(dir, `${name}.md5`), 'utf8').catch(() => '')])
        return { partNumber: Number(name), etag: `"${md5.trim()}"`, size: info.size, lastModified: info.mtime }
      }),
    )
    return parts.sort((a, b) => a.partNumber - b.partNumber)
  }

  /** Refuses new parts at once, waits (up to a minute) for parts in flight, then deletes. */
  async abort(bucket: string, uploadId: string): Promise<void> {
    const dir = this.dir(bucket, uploadId)
    if (!dir) return
    const id = `${bucket}/${uploadId}`
    this.aborting.add(id)
    for (let waited = 0; this.inFlight.has(id) && waited < 60_000; waited += 20) await new Promise((r) => setTimeout(r, 20))
    await rm(dir, { recursive: true, force: true })
  }

  async pending(bucket: string, prefix = ''): Promise<PendingUpload[]> {
    const root = this.uploadsDir(bucket)
    const ids = await readdir(root).catch(() => [] as string[])
    const uploads = await Promise.all(
      ids.map(async (uploadId) => {
        const key = await readFile(join(root, uploadId, 'key'), 'utf8').catch(() => undefined)
        if (key === undefined || !key.startsWith(prefix)) return undefined
        const info = await stat(join(root, uploadId, 'key'))
        return { key, uploadId, initiated: info.mtime }
      }),
    )
    return uploads.filter((u): u is PendingUpload => u !== undefined).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }
}
