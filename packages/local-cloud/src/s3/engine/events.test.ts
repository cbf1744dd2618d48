import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeEventKey } from './events.js'
import { openTestEngine, put, type TestEngine } from './fixture.js'
import { MIN_PART_SIZE } from './multipart.js'
import type { S3EventRecord } from './types.js'

let t: TestEngine
const B = 'files'

beforeEach(async () => {
  t = await openTestEngine()
  await t.engine.createBucket(B)
  await t.engine.setVersioning(B, 'Enabled')
})
afterEach(async () => {
  await t.dispose()
})

describe('change events', () => {
  it('publishes one record per committed change, in commit order, shaped as S3 notifications', async () => {
    const records: S3EventRecord[] = []
    t.engine.subscribe(() => {
      throw new Error('a broken consumer')
    })
    const unsubscribe = t.engine.subscribe((r) => records.push(r))
    const written = await put(t.engine, B, 'me/my file.txt', 'hello')
    await t.engine.copyObject({ source: { bucket: B, key: 'me/my file.txt' }, bucket: B, key: 'me/copy', metadataDirective: 'COPY', headers: { metadata: {} } })
    const { uploadId } = await t.engine.createMultipartUpload({ bucket: B, key: 'me/mp', headers: { metadata: {} } })
    const p1 = await t.engine.uploadPart({
      bucket: B,
      key: 'me/mp',
      uploadId,
      partNumber: 1,
      body: Readable.from([Buffer.alloc(MIN_PART_SIZE)]),
      integrity: {},
    })
    await t.engine.completeMultipartUpload({ bucket: B, key: 'me/mp', uploadId, parts: [{ partNumber: 1, etag: p1.etag }] })
    const marker = await t.engine.deleteObject({ bucket: B, key: 'me/copy' })
    await t.engine.deleteObject({ bucket: B, key: 'me/copy', versionId: marker.versionId! })
    unsubscribe()
    await put(t.engine, B, 'unseen', 'x')

    expect(records.map((r) => r.eventName)).toEqual([
      'ObjectCreated:Put',
      'ObjectCreated:Copy',
      'ObjectCreated:CompleteMultipartUpload',
      'ObjectRemoved:DeleteMarkerCreated',
      'ObjectRemoved:Delete',
    ])
    const sequencers = records.map((r) => r.s3.object.sequencer)
    expect([...sequencers].sort()).toEqual(sequencers)
    expect(new Set(sequencers).size).toBe(sequencers.length)
    expect(records[0]).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: t.clock.now.toISOString(),
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: B, arn: `arn:aws:s3:::${B}` },
        object: {
          key: 'me/my+file.txt',
          size: 5,
          eTag: written.etag.replaceAll('"', ''),
          versionId: written.versionId,
          sequencer: expect.stringMatching(/^[0-9A-F]{16}$/),
        },
      },
    })
    expect(records[3]!.s3.object).toEqual({ key: 'me/copy', versionId: marker.versionId, sequencer: expect.any(String) })
  })

  it('orders concurrent writers by sequencer and survives a restart', async () => {
    const records: S3EventRecord[] = []
    t.engine.subscribe((r) => records.push(r))
    await Promise.all(Array.from({ length: 30 }, (_, i) => put(t.engine, B, `k${i % 3}`, `v${i}`)))
    const before = records.map((r) => r.s3.object.sequencer)
    expect([...before].sort()).toEqual(before)
    await t.reopen()
    t.engine.subscribe((r) => records.push(r))
    await put(t.engine, B, 'after-restart', 'x')
    expect(records.at(-1)!.s3.object.sequencer > before.at(-1)!).toBe(true)
  })

  it('publishes lifecycle expirations', async () => {
    for (let i = 0; i < 5; i++) await put(t.engine, B, 'k', `v${i}`)
    const records: S3EventRecord[] = []
    t.engine.subscribe((r) => records.push(r))
    t.clock.advanceDays(31)
    await t.engine.runLifecycle(t.clock.now)
    expect(records.map((r) => r.eventName)).toEqual(['LifecycleExpiration:Delete'])
  })

  it('encodes keys as S3 does', () => {
    expect(encodeEventKey('a b/c+d=é?')).toBe('a+b/c%2Bd%3D%C3%A9%3F')
  })
})
