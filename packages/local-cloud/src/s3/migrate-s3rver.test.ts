/**
 * A data directory written by the s3rver-based local cloud keeps its files (issue 11): s3rver
 * itself (kept as a devDependency for the benchmark) writes a folder the old way, and the
 * migration moves every object into the engine, byte for byte with its headers, once.
 */
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../ports.js'
import { createS3Engine } from './engine/engine.js'
import type { S3Engine } from './engine/types.js'
import { BACKUP_DIR, importS3rverData, MIGRATING_DIR, setAsideS3rverData } from './migrate-s3rver.js'

const Bucket = 'whimsy-local'
const objects: Record<string, { body: string; contentType?: string; metadata?: Record<string, string> }> = {
  'us-east-1:00000000-0000-0000-0000-000000000001/notes/todo.txt': { body: 'milk', contentType: 'text/plain', metadata: { app: 'notes' } },
  'us-east-1:00000000-0000-0000-0000-000000000001/public/index.html': { body: '<h1>hi</h1>', contentType: 'text/html' },
  'us-east-1:00000000-0000-0000-0000-000000000002/日本語 ファイル.txt': { body: 'こんにちは' },
}

let dataDir: string
let engine: S3Engine | undefined

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'whimsy-migrate-'))
  const port = await freePort()
  const server = new S3rver({ address: '127.0.0.1', port, directory: join(dataDir, 's3'), silent: true })
  await server.run()
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  await s3.send(new CreateBucketCommand({ Bucket }))
  for (const [Key, o] of Object.entries(objects))
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: o.body, ContentType: o.contentType, Metadata: o.metadata }))
  s3.destroy()
  await server.close()
})

afterAll(async () => {
  await engine?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('a data directory from the s3rver version', () => {
  it('is set aside, imported into the engine with bytes and headers, and kept as a backup', async () => {
    expect(await setAsideS3rverData(dataDir)).toBe(true)
    expect(readdirSync(dataDir)).toContain(MIGRATING_DIR)
    const opened = await createS3Engine({ dir: join(dataDir, 's3'), region: 'us-east-1' })
    engine = opened
    const lines: string[] = []
    const result = await importS3rverData(dataDir, opened, (l) => lines.push(l))
    expect(result).toMatchObject({ imported: 3, skipped: 0 })
    expect(lines.join('\n')).toContain(BACKUP_DIR)
    for (const [key, o] of Object.entries(objects)) {
      const got = await opened.getObject({ bucket: Bucket, key })
      const chunks: Buffer[] = []
      for await (const c of got.body ?? []) chunks.push(c as Buffer)
      expect(Buffer.concat(chunks).toString('utf8')).toBe(o.body)
      if (o.contentType) expect(got.version.headers.contentType).toBe(o.contentType)
      expect(got.version.headers.metadata).toEqual(o.metadata ?? {})
    }
    expect(readdirSync(dataDir)).toContain(BACKUP_DIR)
    expect(readdirSync(dataDir)).not.toContain(MIGRATING_DIR)
  })

  it('is not imported twice: the next start finds nothing to set aside', async () => {
    expect(await setAsideS3rverData(dataDir)).toBe(false)
  })

  it('a crash mid-import resumes and skips what already arrived', async () => {
    await engine?.close()
    // As if the last start died after the import but before the folder was renamed.
    renameSync(join(dataDir, BACKUP_DIR), join(dataDir, MIGRATING_DIR))
    expect(await setAsideS3rverData(dataDir)).toBe(true)
    const reopened = await createS3Engine({ dir: join(dataDir, 's3'), region: 'us-east-1' })
    engine = reopened
    const result = await importS3rverData(dataDir, reopened, () => {})
    expect(result).toMatchObject({ imported: 0, skipped: 3 })
  })
})
