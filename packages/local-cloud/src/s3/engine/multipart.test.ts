import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getText, openTestEngine, put, readAll, s3Error, type TestEngine } from './fixture.js'
import { MIN_PART_SIZE } from './multipart.js'
import { S3Error } from './types.js'

let t: TestEngine
const B = 'files'

beforeEach(async () => {
  t = await openTestEngine()
  await t.engine.createBucket(B)
})
afterEach(async () => {
  await t.dispose()
})

const md5 = (data: Buffer) => createHash('md5').update(data).digest()

async function start(key = 'big.bin') {
  return (await t.engine.createMultipartUpload({ bucket: B, key, headers: { contentType: 'application/x-test', metadata: { m: '1' } } })).uploadId
}

function part(uploadId: string, partNumber: number, body: Buffer, key = 'big.bin') {
  return t.engine.uploadPart({ bucket: B, key, uploadId, partNumber, body: Readable.from([body]), integrity: {} })
}

describe('multipart uploads', () => {
  it('completes with S3’s ETag shape, the concatenated body and per-part reads', async () => {
    const bodies = [Buffer.alloc(MIN_PART_SIZE, 1), Buffer.alloc(MIN_PART_SIZE, 2), Buffer.from('tail')]
    const uploadId = await start()
    const parts = await Promise.all(bodies.map((b, i) => part(uploadId, i + 1, b)))
    const done = await t.engine.completeMultipartUpload({
      bucket: B,
      key: 'big.bin',
      uploadId,
      parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
    })
    const expectedEtag = `"${createHash('md5')
      .update(Buffer.concat(bodies.map(md5)))
      .digest('hex')}-3"`
    expect(done.etag).toBe(expectedEtag)
    const whole = Buffer.concat(bodies)
    const got = await t.engine.getObject({ bucket: B, key: 'big.bin' })
    expect(md5(await readAll(got.body)).equals(md5(whole))).toBe(true)
    expect(got.version).toMatchObject({ etag: expectedEtag, size: whole.length, headers: { contentType: 'application/x-test', metadata: { m: '1' } } })
    expect(got.version.checksum).toMatchObject({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' })
    const third = await t.engine.getObject({ bucket: B, key: 'big.bin', partNumber: 3 })
    expect((await readAll(third.body)).toString()).toBe('tail')
    expect(third).toMatchObject({ partsCount: 3, range: { start: 2 * MIN_PART_SIZE, end: 2 * MIN_PART_SIZE + 3, total: whole.length } })
    expect((await t.engine.listMultipartUploads({ bucket: B, maxUploads: 10 })).uploads).toEqual([])
  })

  it('replaces a resent part instead of adding it twice', async () => {
    const uploadId = await start()
    await part(uploadId, 1, Buffer.from('first try'))
    const again = await part(uploadId, 1, Buffer.from('second'))
    const listed = await t.engine.listParts({ bucket: B, key: 'big.bin', uploadId, maxParts: 10 })
    expect(listed.parts).toHaveLength(1)
    await t.engine.completeMultipartUpload({ bucket: B, key: 'big.bin', uploadId, parts: [{ partNumber: 1, etag: again.etag }] })
    expect(await getText(t.engine, B, 'big.bin')).toBe('second')
  })

  it('validates the part list', async () => {
    const uploadId = await start()
    const p1 = await part(uploadId, 1, Buffer.from('small'))
    const p2 = await part(uploadId, 2, Buffer.from('last'))
    const complete = (parts: { partNumber: number; etag: string }[]) => t.engine.completeMultipartUpload({ bucket: B, key: 'big.bin', uploadId, parts })
    expect((await s3Error(complete([{ partNumber: 3, etag: p1.etag }]))).code).toBe('InvalidPart')
    expect((await s3Error(complete([{ partNumber: 1, etag: '"0000"' }]))).code).toBe('InvalidPart')
    expect(
      (
        await s3Error(
          complete([
            { partNumber: 2, etag: p2.etag },
            { partNumber: 1, etag: p1.etag },
          ]),
        )
      ).code,
    ).toBe('InvalidPartOrder')
    const tooSmall = await s3Error(
      complete([
        { partNumber: 1, etag: p1.etag },
        { partNumber: 2, etag: p2.etag },
      ]),
    )
    expect(tooSmall).toMatchObject({ code: 'EntityTooSmall', status: 400 })
    expect((await s3Error(complete([]))).code).toBe('MalformedXML')
    // None of the failures consumed the upload.
    await complete([{ partNumber: 1, etag: p1.etag }])
    expect(await getText(t.engine, B, 'big.bin')).toBe('small')
  })

  it('answers NoSuchUpload for unknown, aborted and completed uploads', async () => {
    expect((await s3Error(t.engine.completeMultipartUpload({ bucket: B, key: 'k', uploadId: 'nope', parts: [{ partNumber: 1, etag: '"x"' }] }))).code).toBe(
      'NoSuchUpload',
    )
    const uploadId = await start()
    const p1 = await part(uploadId, 1, Buffer.from('x'))
    await t.engine.abortMultipartUpload(B, 'big.bin', uploadId)
    expect((await s3Error(t.engine.completeMultipartUpload({ bucket: B, key: 'big.bin', uploadId, parts: [{ partNumber: 1, etag: p1.etag }] }))).code).toBe(
      'NoSuchUpload',
    )
    expect((await s3Error(part(uploadId, 2, Buffer.from('late')))).code).toBe('NoSuchUpload')
    expect((await s3Error(t.engine.abortMultipartUpload(B, 'big.bin', uploadId))).code).toBe('NoSuchUpload')
    expect((await s3Error(t.engine.listParts({ bucket: B, key: 'big.bin', uploadId, maxParts: 10 }))).code).toBe('NoSuchUpload')
  })

  it('an abort waits for a part in flight, and the part then fails with NoSuchUpload', async () => {
    const uploadId = await start()
    const body = new Readable({ read() {} })
    const inFlight = t.engine.uploadPart({ bucket: B, key: 'big.bin', uploadId, partNumber: 1, body, integrity: {} })
    body.push(Buffer.from('half'))
    let aborted = false
    const abort = t.engine.abortMultipartUpload(B, 'big.bin', uploadId).then(() => {
      aborted = true
    })
    await new Promise((r) => setImmediate(r))
    expect(aborted).toBe(false)
    body.push(null)
    expect((await s3Error(inFlight)).code).toBe('NoSuchUpload')
    await abort
    expect(aborted).toBe(true)
  })

  it('Regression (S3 engine review, finding 2): a complete survives a retried part and a racing complete of the same upload', async () => {
    // Part 1 is large so the complete is still streaming it when the retried part 2 lands.
    const first = Buffer.alloc(MIN_PART_SIZE * 6, 1)
    const uploadId = await start()
    const p1 = await part(uploadId, 1, first)
    const p2 = await part(uploadId, 2, Buffer.from('tail'))
    const parts = [
      { partNumber: 1, etag: p1.etag },
      { partNumber: 2, etag: p2.etag },
    ]
    const outcome = (e: unknown) => (e instanceof S3Error ? e.code : String(e))
    const completes = [1, 2].map(() => t.engine.completeMultipartUpload({ bucket: B, key: 'big.bin', uploadId, parts }).then(() => 'done', outcome))
    const retried = await part(uploadId, 2, Buffer.from('tail'))
    expect(retried.etag).toBe(p2.etag)
    expect((await Promise.all(completes)).sort()).toEqual(['NoSuchUpload', 'done'])
    const got = await readAll((await t.engine.getObject({ bucket: B, key: 'big.bin' })).body)
    expect(got.equals(Buffer.concat([first, Buffer.from('tail')]))).toBe(true)
  })

  it('Regression (S3 engine review, finding 3): a part that lands while its upload completes leaves no part record or body behind', async () => {
    const uploadId = await start()
    const p1 = await part(uploadId, 1, Buffer.alloc(MIN_PART_SIZE, 1))
    const p2 = await part(uploadId, 2, Buffer.from('tail'))
    let completed = false
    const completing = t.engine
      .completeMultipartUpload({
        bucket: B,
        key: 'big.bin',
        uploadId,
        parts: [
          { partNumber: 1, etag: p1.etag },
          { partNumber: 2, etag: p2.etag },
        ],
      })
      .finally(() => {
        completed = true
      })
    // Late parts, one after another, until the complete is through: some land before it, some after.
    const outcomes: string[] = []
    for (let n = 3; !completed && n < 10_000; n++)
      outcomes.push(
        await part(uploadId, n, Buffer.from(`late ${n}`)).then(
          () => 'stored',
          (e: unknown) => (e as S3Error).code,
        ),
      )
    await completing
    outcomes.push(
      await part(uploadId, 9_999, Buffer.from('after')).then(
        () => 'stored',
        (e: unknown) => (e as S3Error).code,
      ),
    )
    expect(outcomes.at(-1)).toBe('NoSuchUpload')
    // Only the completed object's body is left, before and after the start-up sweep.
    const bodyFiles = async () => {
      let count = 0
      for (const shard of await readdir(join(t.dir, 'blobs'))) count += (await readdir(join(t.dir, 'blobs', shard))).length
      return count
    }
    expect(await bodyFiles()).toBe(1)
    await t.reopen()
    expect(await bodyFiles()).toBe(1)
  })

  it('copies parts from ranges of other objects', async () => {
    await put(t.engine, B, 'source', '0123456789')
    const uploadId = await start('joined')
    const a = await t.engine.uploadPartCopy({
      bucket: B,
      key: 'joined',
      uploadId,
      partNumber: 1,
      source: { bucket: B, key: 'source', range: { start: 2, end: 4 } },
    })
    expect(a.sourceVersionId).toBe('null')
    expect(
      (
        await s3Error(
          t.engine.uploadPartCopy({ bucket: B, key: 'joined', uploadId, partNumber: 2, source: { bucket: B, key: 'source', range: { start: 5, end: 10 } } }),
        )
      ).code,
    ).toBe('InvalidArgument')
    await t.engine.completeMultipartUpload({ bucket: B, key: 'joined', uploadId, parts: [{ partNumber: 1, etag: a.etag }] })
    expect(await getText(t.engine, B, 'joined')).toBe('234')
  })

  it('lists parts and uploads with markers, prefixes and delimiters', async () => {
    const uploadId = await start('me/a')
    for (let n = 1; n <= 5; n++) await part(uploadId, n, Buffer.from(`p${n}`), 'me/a')
    const first = await t.engine.listParts({ bucket: B, key: 'me/a', uploadId, maxParts: 2 })
    expect(first.parts.map((p) => p.partNumber)).toEqual([1, 2])
    expect(first).toMatchObject({ isTruncated: true, nextPartNumberMarker: 2 })
    const rest = await t.engine.listParts({ bucket: B, key: 'me/a', uploadId, maxParts: 10, partNumberMarker: 2 })
    expect(rest.parts.map((p) => p.partNumber)).toEqual([3, 4, 5])

    t.clock.advanceDays(0.001)
    const second = await start('me/a')
    await start('me/docs/b')
    await start('other')
    const mine = await t.engine.listMultipartUploads({ bucket: B, prefix: 'me/', delimiter: '/', maxUploads: 10 })
    expect(mine.uploads.map((u) => [u.key, u.uploadId])).toEqual([
      ['me/a', uploadId],
      ['me/a', second],
    ])
    expect(mine.commonPrefixes).toEqual(['me/docs/'])
    const paged = await t.engine.listMultipartUploads({ bucket: B, maxUploads: 1 })
    expect(paged).toMatchObject({ isTruncated: true, nextKeyMarker: 'me/a', nextUploadIdMarker: uploadId })
    const next = await t.engine.listMultipartUploads({ bucket: B, maxUploads: 10, keyMarker: 'me/a', uploadIdMarker: uploadId })
    expect(next.uploads.map((u) => u.uploadId)).toEqual([second, expect.any(String), expect.any(String)])
  })
})
