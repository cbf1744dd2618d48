/**
 * A data directory written by the s3rver-based local cloud keeps its files: on the first start
 * of the engine, s3rver's folder (`<data>/s3/<bucket>/<key path>._S3rver_object`, metadata in
 * `._S3rver_metadata.json` beside it) is moved aside and every object is written into the
 * engine, then the old folder is kept as `<data>/s3rver-backup` for the user to delete.
 *
 * Crash-safe by being repeatable: the old folder is renamed to `s3rver-migrating` before the
 * engine opens `s3/`, objects already in the engine with the same MD5 are skipped, and only a
 * finished import renames it to `s3rver-backup`. A start after a crash mid-import resumes.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, readFile, rename, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { ObjectHeaders, S3Engine } from './engine/types.js'
import { S3Error } from './engine/types.js'

const OBJECT_SUFFIX = '._S3rver_object'
const METADATA_SUFFIX = '._S3rver_metadata.json'
const UPLOADS_DIR = '._S3rver_uploads'

export const MIGRATING_DIR = 's3rver-migrating'
export const BACKUP_DIR = 's3rver-backup'

/** s3rver's metadata file names the headers it kept; these become the engine's object headers. */
interface S3rverMetadata {
  'content-type'?: string
  'content-encoding'?: string
  'content-disposition'?: string
  'content-language'?: string
  'cache-control'?: string
  expires?: string
  [name: `x-amz-meta-${string}`]: string
}

/**
 * Before the engine opens `<dataDir>/s3`: if that folder holds s3rver's layout, move it to
 * `<dataDir>/s3rver-migrating`. Returns whether an import is pending (now or from a crash).
 */
export async function setAsideS3rverData(dataDir: string): Promise<boolean> {
  const s3 = join(dataDir, 's3')
  const migrating = join(dataDir, MIGRATING_DIR)
  if (await exists(migrating)) return true
  if (!(await holdsS3rverObjects(s3))) return false
  await rename(s3, migrating)
  return true
}

/** Writes every object of `<dataDir>/s3rver-migrating` into the engine, then keeps the folder as `s3rver-backup`. */
export async function importS3rverData(
  dataDir: string,
  engine: S3Engine,
  log: (line: string) => void,
): Promise<{ imported: number; skipped: number; pendingUploads: number }> {
  const root = join(dataDir, MIGRATING_DIR)
  let imported = 0
  let skipped = 0
  let pendingUploads = 0
  for (const bucket of await readdir(root)) {
    const bucketDir = join(root, bucket)
    if (!(await stat(bucketDir)).isDirectory()) continue
    await engine.createBucket(bucket).catch((e: unknown) => {
      if (!(e instanceof S3Error && /^BucketAlready/.test(e.code))) throw e
    })
    for await (const file of walk(bucketDir)) {
      if (relative(bucketDir, file).split(sep)[0] === UPLOADS_DIR) {
        if (file.endsWith(`${sep}key`)) pendingUploads++
        continue
      }
      if (!file.endsWith(OBJECT_SUFFIX)) continue
      const key = relative(bucketDir, file).split(sep).join('/').slice(0, -OBJECT_SUFFIX.length)
      const md5 = await md5Of(file)
      const current = await engine.headObject({ bucket, key }).catch((e: unknown) => {
        if (e instanceof S3Error && e.status === 404) return undefined
        throw e
      })
      if (current && current.version.etag === `"${md5}"`) {
        skipped++
        continue
      }
      const metadata = await readMetadata(file.slice(0, -OBJECT_SUFFIX.length) + METADATA_SUFFIX)
      await engine.putObject({
        bucket,
        key,
        body: createReadStream(file),
        headers: headersOf(metadata),
        integrity: { contentMd5: Buffer.from(md5, 'hex').toString('base64') },
      })
      imported++
    }
  }
  await rename(root, join(dataDir, BACKUP_DIR))
  log(
    `Moved ${imported} object${imported === 1 ? '' : 's'} from the s3rver data folder into the local S3 engine` +
      (pendingUploads ? ` (${pendingUploads} unfinished multipart upload${pendingUploads === 1 ? '' : 's'} not carried over)` : '') +
      `; the old files are kept in ${join(dataDir, BACKUP_DIR)} — delete it once you are happy.`,
  )
  return { imported, skipped, pendingUploads }
}

function headersOf(m: S3rverMetadata): ObjectHeaders {
  const metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(m))
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value
  return {
    contentType: m['content-type'],
    contentEncoding: m['content-encoding'],
    contentDisposition: m['content-disposition'],
    contentLanguage: m['content-language'],
    cacheControl: m['cache-control'],
    expires: m.expires,
    metadata,
  }
}

async function readMetadata(path: string): Promise<S3rverMetadata> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as S3rverMetadata
  } catch {
    return {}
  }
}

async function holdsS3rverObjects(dir: string): Promise<boolean> {
  if (!(await exists(dir))) return false
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    for await (const file of walk(join(dir, entry.name))) if (file.endsWith(OBJECT_SUFFIX) || file.includes(UPLOADS_DIR)) return true
  }
  return false
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(full)
    else yield full
  }
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}
