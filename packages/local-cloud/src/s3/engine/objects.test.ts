import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getText, noHeaders, openTestEngine, put, readAll, s3Error, type TestEngine } from './fixture.js'
import type { S3Error } from './types.js'

let t: TestEngine
const B = 'files'

beforeEach(async () => {
  t = await openTestEngine()
  await t.engine.createBucket(B)
})
afterEach(async () => {
  await t.dispose()
})

describe('keys are data (issue 11)', () => {
  const hostile = [
    ['a 1,024-byte key', `${'k'.repeat(1020)}/end`],
    ['a 1,000-byte segment', `user/${'s'.repeat(1000)}`],
    ['an encoded slash', 'us-east-1:abc%2F..%2Fother/file'],
    ['dot segments', 'me/../other/./x'],
    ['a double slash', 'me//x//'],
    ['control characters', 'me/\u0001\u0007\t\r\n\u001f\u007f'],
    ['NFC', 'me/caf\u00e9'],
    ['NFD', 'me/cafe\u0301'],
    ['emoji', 'me/🐈‍⬛/🏳️‍🌈.txt'],
    ['backslashes', 'me\\..\\x'],
    ['a lone dot', '.'],
    ['a leading slash', '/abs'],
  ] as const
  it.each(hostile)('round-trips %s', async (_, key) => {
    await put(t.engine, B, key, `body of ${key}`)
    expect(await getText(t.engine, B, key)).toBe(`body of ${key}`)
    const listed = await t.engine.listObjects({ bucket: B, prefix: key, maxKeys: 10 })
    expect(listed.objects.map((o) => o.key)).toEqual([key])
  })

  it('keeps NFC and NFD apart, and stores every hostile key as its own object', async () => {
    for (const [, key] of hostile) await put(t.engine, B, key, key)
    const listed = await t.engine.listObjects({ bucket: B, maxKeys: 1000 })
    expect(listed.objects.map((o) => o.key).sort()).toEqual(hostile.map(([, k]) => k).sort())
    expect(await getText(t.engine, B, 'me/caf\u00e9')).toBe('me/caf\u00e9')
    expect(await getText(t.engine, B, 'me/cafe\u0301')).toBe('me/cafe\u0301')
  })

  it('names body files by random ids, never by the key', async () => {
    await put(t.engine, B, 'me/secret.txt', 'x')
    const shards = await readdir(join(t.dir, 'blobs'))
    const files = (await Promise.all(shards.map((s) => readdir(join(t.dir, 'blobs', s))))).flat()
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^[0-9a-f]{32}$/)
  })

  it('refuses keys over 1,024 bytes, empty keys and NUL', async () => {
    expect((await s3Error(put(t.engine, B, 'é'.repeat(513), 'x'))).code).toBe('KeyTooLongError')
    expect((await s3Error(put(t.engine, B, '', 'x'))).code).toBe('InvalidArgument')
    expect((await s3Error(put(t.engine, B, 'a\u0000b', 'x'))).code).toBe('InvalidArgument')
  })
})

describe('put, get, head', () => {
  it('returns the MD5 ETag, metadata and a default CRC64NVME checksum', async () => {
    const headers = { contentType: 'text/plain', cacheControl: 'no-cache', metadata: { note: 'héllo' } }
    const written = await put(t.engine, B, 'a.txt', 'hello', { headers })
    expect(written.etag).toBe(`"${createHash('md5').update('hello').digest('hex')}"`)
    expect(written.versionId).toBe('null')
    expect(written.checksum).toMatchObject({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' })
    const head = await t.engine.headObject({ bucket: B, key: 'a.txt' })
    expect(head.body).toBeUndefined()
    expect(head.version).toMatchObject({ size: 5, etag: written.etag, headers, isLatest: true, isDeleteMarker: false })
  })

  it('stores empty bodies', async () => {
    await put(t.engine, B, 'empty', '')
    expect(await getText(t.engine, B, 'empty')).toBe('')
  })

  it('overwrites in an unversioned bucket and frees the old body', async () => {
    await put(t.engine, B, 'k', 'one')
    await put(t.engine, B, 'k', 'two')
    expect(await getText(t.engine, B, 'k')).toBe('two')
    const shards = await readdir(join(t.dir, 'blobs'))
    const files = (await Promise.all(shards.map((s) => readdir(join(t.dir, 'blobs', s))))).flat()
    expect(files).toHaveLength(1)
  })

  it('answers NoSuchKey with the key and NoSuchBucket', async () => {
    const missing = await s3Error(t.engine.getObject({ bucket: B, key: 'nope' }))
    expect(missing).toMatchObject({ code: 'NoSuchKey', status: 404, details: { Key: 'nope' } })
    expect((await s3Error(t.engine.getObject({ bucket: 'other', key: 'x' }))).code).toBe('NoSuchBucket')
    expect((await s3Error(put(t.engine, 'other', 'x', 'y'))).code).toBe('NoSuchBucket')
  })

  it('survives a restart', async () => {
    await put(t.engine, B, 'persist', 'still here')
    await t.reopen()
    expect(await getText(t.engine, B, 'persist')).toBe('still here')
    expect(await t.engine.listBuckets()).toEqual([{ name: B, created: expect.any(Date) }])
  })
})

describe('ranges', () => {
  const body = '0123456789abcdefghij' // 20 bytes
  const cases = [
    ['bytes=0-4', { start: 0, end: 4 }, '01234'],
    ['bytes=-7 (the last 7 bytes)', { suffix: 7 }, 'defghij'],
    ['bytes=15- (open-ended)', { start: 15 }, 'fghij'],
    ['bytes=10-999 (end clamped)', { start: 10, end: 999 }, 'abcdefghij'],
    ['bytes=-50 (suffix longer than the body)', { suffix: 50 }, body],
    ['bytes=19-19', { start: 19, end: 19 }, 'j'],
  ] as const
  it.each(cases)('%s', async (_, range, expected) => {
    await put(t.engine, B, 'r', body)
    const result = await t.engine.getObject({ bucket: B, key: 'r', range })
    expect((await readAll(result.body)).toString()).toBe(expected)
    expect(result.range).toEqual({ start: body.indexOf(expected), end: body.indexOf(expected) + expected.length - 1, total: 20 })
  })

  it('answers an unsatisfiable range with InvalidRange 416 and the size', async () => {
    await put(t.engine, B, 'r', body)
    const error = await s3Error(t.engine.getObject({ bucket: B, key: 'r', range: { start: 20 } }))
    expect(error).toMatchObject({ code: 'InvalidRange', status: 416, details: { ActualObjectSize: '20' } })
    expect((await s3Error(t.engine.getObject({ bucket: B, key: 'r', range: { suffix: 0 } }))).code).toBe('InvalidRange')
  })

  it('Regression (S3 engine review, finding 1): a suffix range on a 0-byte object answers 200 with the empty body; bytes=0- stays 416', async () => {
    await put(t.engine, B, 'empty', '')
    const result = await t.engine.getObject({ bucket: B, key: 'empty', range: { suffix: 512 } })
    expect(result.range).toBeUndefined()
    expect((await readAll(result.body)).length).toBe(0)
    expect((await s3Error(t.engine.getObject({ bucket: B, key: 'empty', range: { start: 0 } }))).code).toBe('InvalidRange')
  })

  it('serves partNumber=1 of a single-part object as the whole body', async () => {
    await put(t.engine, B, 'r', body)
    const result = await t.engine.getObject({ bucket: B, key: 'r', partNumber: 1 })
    expect((await readAll(result.body)).toString()).toBe(body)
    expect((await s3Error(t.engine.getObject({ bucket: B, key: 'r', partNumber: 2 }))).code).toBe('InvalidPartNumber')
  })
})

describe('read conditions (S3 precedence)', () => {
  const at = (iso: string) => new Date(iso)
  // The object is written at the fixture clock: 2026-01-01T00:00:00Z.
  const cases = [
    ['If-Match true', { ifMatch: 'ETAG' }, 'ok'],
    ['If-Match false', { ifMatch: '"nope"' }, 'PreconditionFailed'],
    ['If-Match *', { ifMatch: '*' }, 'ok'],
    ['If-Unmodified-Since after', { ifUnmodifiedSince: at('2026-01-02T00:00:00Z') }, 'ok'],
    ['If-Unmodified-Since before', { ifUnmodifiedSince: at('2025-12-31T00:00:00Z') }, 'PreconditionFailed'],
    ['If-Match true + If-Unmodified-Since false proceeds', { ifMatch: 'ETAG', ifUnmodifiedSince: at('2025-12-31T00:00:00Z') }, 'ok'],
    ['If-None-Match same', { ifNoneMatch: 'ETAG' }, 'NotModified'],
    ['If-None-Match other', { ifNoneMatch: '"nope"' }, 'ok'],
    ['If-Modified-Since before', { ifModifiedSince: at('2025-12-31T00:00:00Z') }, 'ok'],
    ['If-Modified-Since after', { ifModifiedSince: at('2026-01-02T00:00:00Z') }, 'NotModified'],
    ['If-Modified-Since same second', { ifModifiedSince: at('2026-01-01T00:00:00Z') }, 'NotModified'],
    ['If-None-Match false + If-Modified-Since true is 304', { ifNoneMatch: 'ETAG', ifModifiedSince: at('2025-12-31T00:00:00Z') }, 'NotModified'],
    ['If-None-Match true + If-Modified-Since false proceeds', { ifNoneMatch: '"nope"', ifModifiedSince: at('2026-01-02T00:00:00Z') }, 'ok'],
    ['If-Match false + If-None-Match true', { ifMatch: '"nope"', ifNoneMatch: '"nope"' }, 'PreconditionFailed'],
  ] as const
  it.each(cases)('%s → %s', async (_, conditions, expected) => {
    const { etag } = await put(t.engine, B, 'c', 'conditional')
    const resolved = Object.fromEntries(Object.entries(conditions).map(([k, v]) => [k, v === 'ETAG' ? etag : v]))
    for (const read of [t.engine.getObject, t.engine.headObject]) {
      const outcome = await read({ bucket: B, key: 'c', conditions: resolved }).then(
        (result) => {
          result.body?.destroy()
          return 'ok'
        },
        (e: S3Error) => e.code,
      )
      expect(outcome).toBe(expected)
    }
  })
})

describe('write conditions', () => {
  it('If-None-Match: * creates once, then refuses', async () => {
    await put(t.engine, B, 'once', 'a', { conditions: { ifNoneMatch: '*' } })
    const error = await s3Error(put(t.engine, B, 'once', 'b', { conditions: { ifNoneMatch: '*' } }))
    expect(error).toMatchObject({ code: 'PreconditionFailed', status: 412 })
    expect(await getText(t.engine, B, 'once')).toBe('a')
  })

  it('If-None-Match: * lets exactly one of many racing writers win', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => put(t.engine, B, 'race', `writer ${i}`, { conditions: { ifNoneMatch: '*' } })),
    )
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
  })

  it('If-Match replaces only the version it names', async () => {
    const first = await put(t.engine, B, 'm', 'v1')
    await put(t.engine, B, 'm', 'v2', { conditions: { ifMatch: first.etag } })
    expect((await s3Error(put(t.engine, B, 'm', 'v3', { conditions: { ifMatch: first.etag } }))).code).toBe('PreconditionFailed')
    expect((await s3Error(put(t.engine, B, 'absent', 'x', { conditions: { ifMatch: first.etag } }))).code).toBe('NoSuchKey')
    expect(await getText(t.engine, B, 'm')).toBe('v2')
  })

  it('delete with If-Match', async () => {
    const { etag } = await put(t.engine, B, 'd', 'x')
    expect((await s3Error(t.engine.deleteObject({ bucket: B, key: 'd', conditions: { ifMatch: '"other"' } }))).code).toBe('PreconditionFailed')
    await t.engine.deleteObject({ bucket: B, key: 'd', conditions: { ifMatch: etag } })
    expect((await s3Error(t.engine.headObject({ bucket: B, key: 'd' }))).code).toBe('NoSuchKey')
  })
})

describe('integrity', () => {
  it('refuses a wrong Content-MD5, a wrong sha256 and a short body, storing nothing', async () => {
    const bad = [
      [{ contentMd5: createHash('md5').update('other').digest('base64') }, 'BadDigest'],
      [{ sha256Hex: createHash('sha256').update('other').digest('hex') }, 'XAmzContentSHA256Mismatch'],
      [{ expectedLength: 10 }, 'IncompleteBody'],
      [{ expectedLength: 2 }, 'IncompleteBody'],
    ] as const
    for (const [integrity, code] of bad) expect((await s3Error(put(t.engine, B, 'i', 'hello', { integrity }))).code).toBe(code)
    expect((await t.engine.listObjects({ bucket: B, maxKeys: 10 })).objects).toEqual([])
    expect(await readdir(join(t.dir, 'tmp'))).toEqual([])
  })

  it('accepts matching digests', async () => {
    const integrity = {
      contentMd5: createHash('md5').update('hello').digest('base64'),
      sha256Hex: createHash('sha256').update('hello').digest('hex'),
      expectedLength: 5,
    }
    await put(t.engine, B, 'i', 'hello', { integrity })
    expect(await getText(t.engine, B, 'i')).toBe('hello')
  })
})

describe('delete and copy', () => {
  it('deletes in an unversioned bucket without a marker, and deleting a missing key succeeds', async () => {
    await put(t.engine, B, 'x', '1')
    expect(await t.engine.deleteObject({ bucket: B, key: 'x' })).toEqual({ deleteMarker: false })
    expect(await t.engine.deleteObject({ bucket: B, key: 'x' })).toEqual({ deleteMarker: false })
    expect((await t.engine.listObjectVersions({ bucket: B, maxKeys: 10 })).versions).toEqual([])
  })

  it('deleteObjects handles each entry on its own and refuses more than 1,000', async () => {
    await put(t.engine, B, 'a', '1')
    const { etag } = await put(t.engine, B, 'b', '2')
    const results = await t.engine.deleteObjects(B, [{ key: 'a' }, { key: 'b', ifMatch: '"wrong"' }, { key: 'c' }])
    expect(results.map((r) => [r.key, r.ok])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ])
    expect(await getText(t.engine, B, 'b')).toBe('2')
    expect(etag).toBeTruthy()
    const full = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}` }))
    await Promise.all(full.slice(0, 100).map(({ key }) => put(t.engine, B, key, key)))
    const deleted = await t.engine.deleteObjects(B, full)
    expect(deleted.map((r) => [r.key, r.ok])).toEqual(full.map(({ key }) => [key, true]))
    expect((await t.engine.listObjects({ bucket: B, prefix: 'k', maxKeys: 1000 })).objects).toEqual([])
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ key: `k${i}` }))
    expect((await s3Error(t.engine.deleteObjects(B, tooMany))).code).toBe('MalformedXML')
  })

  it('copies with COPY and REPLACE metadata and honours source conditions', async () => {
    const source = await put(t.engine, B, 'src', 'payload', { headers: { contentType: 'text/x', metadata: { a: '1' } } })
    const copied = await t.engine.copyObject({ source: { bucket: B, key: 'src' }, bucket: B, key: 'dst', metadataDirective: 'COPY', headers: noHeaders() })
    expect(copied.etag).toBe(source.etag)
    expect(copied.sourceVersionId).toBe('null')
    expect((await t.engine.headObject({ bucket: B, key: 'dst' })).version.headers).toEqual({ contentType: 'text/x', metadata: { a: '1' } })
    await t.engine.copyObject({ source: { bucket: B, key: 'src' }, bucket: B, key: 'dst2', metadataDirective: 'REPLACE', headers: { metadata: { b: '2' } } })
    expect((await t.engine.headObject({ bucket: B, key: 'dst2' })).version.headers).toEqual({ metadata: { b: '2' } })
    expect(await getText(t.engine, B, 'dst2')).toBe('payload')
    const failed = await s3Error(
      t.engine.copyObject({
        source: { bucket: B, key: 'src', conditions: { ifNoneMatch: source.etag } },
        bucket: B,
        key: 'd3',
        metadataDirective: 'COPY',
        headers: noHeaders(),
      }),
    )
    expect(failed).toMatchObject({ code: 'PreconditionFailed', status: 412 })
  })

  it('refuses copying an object onto itself unchanged (InvalidRequest), allows it with REPLACE', async () => {
    await put(t.engine, B, 'self', 'x')
    const error = await s3Error(
      t.engine.copyObject({ source: { bucket: B, key: 'self' }, bucket: B, key: 'self', metadataDirective: 'COPY', headers: noHeaders() }),
    )
    expect(error).toMatchObject({ code: 'InvalidRequest', status: 400 })
    await t.engine.copyObject({ source: { bucket: B, key: 'self' }, bucket: B, key: 'self', metadataDirective: 'REPLACE', headers: { metadata: { n: '1' } } })
    expect((await t.engine.headObject({ bucket: B, key: 'self' })).version.headers.metadata).toEqual({ n: '1' })
  })
})

describe('reads racing overwrites', () => {
  it('every read of a 1 MiB object returns one whole version', async () => {
    const versions = Array.from({ length: 4 }, (_, i) => Buffer.alloc(1024 * 1024, 65 + i))
    const digests = new Set(versions.map((v) => createHash('md5').update(v).digest('hex')))
    await t.engine.putObject({ bucket: B, key: 'hot', body: Readable.from([versions[0]!]), headers: noHeaders(), integrity: {} })
    const reads = Array.from({ length: 40 }, async () => {
      const result = await t.engine.getObject({ bucket: B, key: 'hot' })
      const bytes = await readAll(result.body)
      expect(bytes.length).toBe(1024 * 1024)
      const md5 = createHash('md5').update(bytes).digest('hex')
      expect(digests.has(md5)).toBe(true)
      expect(`"${md5}"`).toBe(result.version.etag)
    })
    const writes = versions.slice(1).map((v) => t.engine.putObject({ bucket: B, key: 'hot', body: Readable.from([v]), headers: noHeaders(), integrity: {} }))
    await Promise.all([...reads, ...writes])
  })
})

describe('speed', () => {
  it.runIf(process.platform === 'linux')('a read dropped mid-body, or before its first byte, closes its body file', async () => {
    await put(t.engine, B, 'big', Buffer.alloc(1024 * 1024, 7))
    const openFiles = async () => (await readdir('/proc/self/fd')).length
    const before = await openFiles()
    for (let i = 0; i < 20; i++) {
      const { body } = await t.engine.getObject({ bucket: B, key: 'big' })
      if (i % 2) await body![Symbol.asyncIterator]().next()
      const closed = new Promise((resolve) => body!.once('close', resolve))
      body!.destroy()
      await closed
    }
    expect(await openFiles()).toBeLessThanOrEqual(before)
  })
})

describe('start-up cleanup', () => {
  it('removes temp files and body files no record references', async () => {
    await put(t.engine, B, 'kept', 'x')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(t.dir, 'tmp', 'half-written'), 'junk')
    await writeFile(join(t.dir, 'blobs', 'ab', `ab${'0'.repeat(30)}`), 'orphan')
    await t.reopen()
    expect(await readdir(join(t.dir, 'tmp'))).toEqual([])
    expect(await readdir(join(t.dir, 'blobs', 'ab'))).toEqual([])
    expect(await getText(t.engine, B, 'kept')).toBe('x')
  })
})

describe('write conditions on copy and complete', () => {
  it('copy and complete honour If-None-Match: * and If-Match', async () => {
    await put(t.engine, B, 'src', 'source')
    const existing = await put(t.engine, B, 'taken', 'first')
    const copy = (conditions: { ifNoneMatch?: '*'; ifMatch?: string }) =>
      t.engine.copyObject({ source: { bucket: B, key: 'src' }, bucket: B, key: 'taken', metadataDirective: 'COPY', headers: noHeaders(), conditions })
    expect((await s3Error(copy({ ifNoneMatch: '*' }))).code).toBe('PreconditionFailed')
    expect((await s3Error(copy({ ifMatch: '"nope"' }))).code).toBe('PreconditionFailed')
    await copy({ ifMatch: existing.etag })
    expect(await getText(t.engine, B, 'taken')).toBe('source')

    const { uploadId } = await t.engine.createMultipartUpload({ bucket: B, key: 'taken', headers: noHeaders() })
    const part = await t.engine.uploadPart({ bucket: B, key: 'taken', uploadId, partNumber: 1, body: Readable.from([Buffer.from('mp')]), integrity: {} })
    const complete = (conditions: { ifNoneMatch?: '*' }) =>
      t.engine.completeMultipartUpload({ bucket: B, key: 'taken', uploadId, parts: [{ partNumber: 1, etag: part.etag }], conditions })
    expect((await s3Error(complete({ ifNoneMatch: '*' }))).code).toBe('PreconditionFailed')
    await t.engine.deleteObject({ bucket: B, key: 'taken' })
    await complete({ ifNoneMatch: '*' })
    expect(await getText(t.engine, B, 'taken')).toBe('mp')
  })
})
