import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checksumOf, compositeChecksum } from './checksums.js'
import { openTestEngine, put, type TestEngine } from './fixture.js'
import { MIN_PART_SIZE } from './multipart.js'
import { type ChecksumAlgorithm, S3Error } from './types.js'

const hex = (value: string) => Buffer.from(value, 'hex').toString('base64')

// The check values of each CRC's catalogue entry, over the ASCII bytes "123456789".
const VECTORS: [ChecksumAlgorithm, string][] = [
  ['CRC32', hex('cbf43926')],
  ['CRC32C', hex('e3069283')],
  ['CRC64NVME', hex('ae8b14860a799888')],
  ['SHA1', createHash('sha1').update('123456789').digest('base64')],
  ['SHA256', createHash('sha256').update('123456789').digest('base64')],
]

describe('checksum algorithms', () => {
  it.each(VECTORS)('%s of "123456789"', async (algorithm, expected) => {
    expect(await checksumOf(algorithm, Buffer.from('123456789'))).toBe(expected)
  })
})

describe('checksums on writes', () => {
  let t: TestEngine
  const B = 'files'
  beforeEach(async () => {
    t = await openTestEngine()
    await t.engine.createBucket(B)
  })
  afterEach(async () => {
    await t.dispose()
  })

  it.each(VECTORS)('verifies and stores a declared %s', async (algorithm, value) => {
    const written = await put(t.engine, B, 'v', '123456789', { integrity: { checksum: { algorithm, value } } })
    expect(written.checksum).toEqual({ algorithm, type: 'FULL_OBJECT', value })
    expect((await t.engine.headObject({ bucket: B, key: 'v' })).version.checksum).toEqual({ algorithm, type: 'FULL_OBJECT', value })
    const wrong = await put(t.engine, B, 'w', '123456780', { integrity: { checksum: { algorithm, value } } }).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(S3Error)
    expect(wrong).toMatchObject({ code: 'BadDigest', status: 400 })
    expect((await t.engine.listObjects({ bucket: B, maxKeys: 10 })).objects.map((o) => o.key)).toEqual(['v'])
  })

  it('computes a declared algorithm without a value, and CRC64NVME by default', async () => {
    expect((await put(t.engine, B, 'a', '123456789', { integrity: { checksum: { algorithm: 'CRC32C' } } })).checksum?.value).toBe(hex('e3069283'))
    expect((await put(t.engine, B, 'b', '123456789')).checksum).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: hex('ae8b14860a799888') })
  })

  it('refuses a malformed checksum value', async () => {
    const error = await put(t.engine, B, 'a', 'x', { integrity: { checksum: { algorithm: 'CRC32', value: 'not base64 of 4 bytes' } } }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'InvalidRequest' })
  })

  async function multipart(algorithm: ChecksumAlgorithm, type?: 'COMPOSITE' | 'FULL_OBJECT') {
    const bodies = [Buffer.alloc(MIN_PART_SIZE, 7), Buffer.from('123456789')]
    const { uploadId } = await t.engine.createMultipartUpload({
      bucket: B,
      key: 'mp',
      headers: { metadata: {} },
      checksum: { algorithm, ...(type ? { type } : {}) },
    })
    const parts = []
    for (const [i, body] of bodies.entries())
      parts.push(await t.engine.uploadPart({ bucket: B, key: 'mp', uploadId, partNumber: i + 1, body: Readable.from([body]), integrity: {} }))
    const done = await t.engine.completeMultipartUpload({
      bucket: B,
      key: 'mp',
      uploadId,
      parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, ...(p.checksum ? { checksum: p.checksum } : {}) })),
    })
    return { bodies, parts, done }
  }

  it.each([
    'CRC32',
    'CRC32C',
    'SHA1',
    'SHA256',
  ] as const)('a composite %s multipart checksum is the checksum of the part checksums, -count', async (algorithm) => {
    const { bodies, parts, done } = await multipart(algorithm)
    const partValues = await Promise.all(bodies.map((b) => checksumOf(algorithm, b)))
    expect(parts.map((p) => p.checksum)).toEqual(partValues)
    const joined = Buffer.concat(partValues.map((v) => Buffer.from(v, 'base64')))
    expect(done.checksum).toEqual({ algorithm, type: 'COMPOSITE', value: `${await checksumOf(algorithm, joined)}-2` })
    expect(done.checksum?.value).toBe(await compositeChecksum(algorithm, partValues))
  })

  it.each(['CRC32', 'CRC32C', 'CRC64NVME'] as const)('a full-object %s multipart checksum covers the whole body', async (algorithm) => {
    const { bodies, done } = await multipart(algorithm, 'FULL_OBJECT')
    expect(done.checksum).toEqual({ algorithm, type: 'FULL_OBJECT', value: await checksumOf(algorithm, Buffer.concat(bodies)) })
  })

  it('refuses full-object SHA and composite CRC64NVME uploads', async () => {
    for (const checksum of [
      { algorithm: 'SHA256', type: 'FULL_OBJECT' },
      { algorithm: 'CRC64NVME', type: 'COMPOSITE' },
    ] as const) {
      const error = await t.engine.createMultipartUpload({ bucket: B, key: 'x', headers: { metadata: {} }, checksum }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'InvalidRequest' })
    }
  })
})
