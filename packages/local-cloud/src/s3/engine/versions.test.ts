import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getText, openTestEngine, put, s3Error, type TestEngine } from './fixture.js'

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

describe('versioned buckets', () => {
  it('the start-up sweep keeps bodies referenced only by noncurrent versions, a delete marker’s predecessors and parts', async () => {
    const v1 = await put(t.engine, B, 'k', 'one')
    const v2 = await put(t.engine, B, 'k', 'two')
    await t.engine.deleteObject({ bucket: B, key: 'k' })
    const { uploadId } = await t.engine.createMultipartUpload({ bucket: B, key: 'm', headers: { metadata: {} } })
    const { Readable } = await import('node:stream')
    const p1 = await t.engine.uploadPart({ bucket: B, key: 'm', uploadId, partNumber: 1, body: Readable.from([Buffer.from('part')]), integrity: {} })
    await t.reopen()
    expect(await getText(t.engine, B, 'k', v1.versionId)).toBe('one')
    expect(await getText(t.engine, B, 'k', v2.versionId)).toBe('two')
    await t.engine.completeMultipartUpload({ bucket: B, key: 'm', uploadId, parts: [{ partNumber: 1, etag: p1.etag }] })
    expect(await getText(t.engine, B, 'm')).toBe('part')
  })

  it('keeps every version; a delete adds a marker that hides the key; deleting the marker restores it', async () => {
    expect(await t.engine.getVersioning(B)).toBe('Enabled')
    const v1 = await put(t.engine, B, 'doc', 'one')
    const v2 = await put(t.engine, B, 'doc', 'two')
    expect(v1.versionId).not.toBe('null')
    expect(v1.versionId).not.toBe(v2.versionId)
    expect(await getText(t.engine, B, 'doc')).toBe('two')
    expect(await getText(t.engine, B, 'doc', v1.versionId)).toBe('one')

    const marker = await t.engine.deleteObject({ bucket: B, key: 'doc' })
    expect(marker.deleteMarker).toBe(true)
    const gone = await s3Error(t.engine.getObject({ bucket: B, key: 'doc' }))
    expect(gone).toMatchObject({ code: 'NoSuchKey', status: 404, headers: { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId } })
    const byId = await s3Error(t.engine.getObject({ bucket: B, key: 'doc', versionId: marker.versionId! }))
    expect(byId).toMatchObject({ code: 'MethodNotAllowed', status: 405 })
    expect((await t.engine.listObjects({ bucket: B, maxKeys: 10 })).objects).toEqual([])
    expect(await getText(t.engine, B, 'doc', v2.versionId)).toBe('two')

    expect(await t.engine.deleteObject({ bucket: B, key: 'doc', versionId: marker.versionId! })).toEqual({ deleteMarker: true, versionId: marker.versionId })
    expect(await getText(t.engine, B, 'doc')).toBe('two')
    expect((await t.engine.listObjects({ bucket: B, maxKeys: 10 })).objects.map((o) => o.versionId)).toEqual([v2.versionId])
  })

  it('deletes a version for good with its versionId; the previous one becomes current', async () => {
    const v1 = await put(t.engine, B, 'doc', 'one')
    const v2 = await put(t.engine, B, 'doc', 'two')
    await t.engine.deleteObject({ bucket: B, key: 'doc', versionId: v2.versionId })
    expect(await getText(t.engine, B, 'doc')).toBe('one')
    expect((await s3Error(t.engine.getObject({ bucket: B, key: 'doc', versionId: v2.versionId }))).code).toBe('NoSuchVersion')
    const head = await t.engine.headObject({ bucket: B, key: 'doc' })
    expect(head.version).toMatchObject({ versionId: v1.versionId, isLatest: true })
  })

  it('lists versions newest first per key, with delete markers and markers for the next page', async () => {
    const a1 = await put(t.engine, B, 'a', '1')
    const a2 = await put(t.engine, B, 'a', '2')
    const dm = await t.engine.deleteObject({ bucket: B, key: 'a' })
    const b1 = await put(t.engine, B, 'b', '1')
    const all = await t.engine.listObjectVersions({ bucket: B, maxKeys: 100 })
    expect(all.versions.map((v) => [v.key, v.versionId, v.isLatest, v.isDeleteMarker])).toEqual([
      ['a', dm.versionId, true, true],
      ['a', a2.versionId, false, false],
      ['a', a1.versionId, false, false],
      ['b', b1.versionId, true, false],
    ])
    const first = await t.engine.listObjectVersions({ bucket: B, maxKeys: 2 })
    expect(first).toMatchObject({ isTruncated: true, nextKeyMarker: 'a', nextVersionIdMarker: a2.versionId })
    const rest = await t.engine.listObjectVersions({ bucket: B, maxKeys: 10, keyMarker: 'a', versionIdMarker: a2.versionId })
    expect(rest.versions.map((v) => [v.versionId, v.isLatest])).toEqual([
      [a1.versionId, false],
      [b1.versionId, true],
    ])
    const afterA = await t.engine.listObjectVersions({ bucket: B, maxKeys: 10, keyMarker: 'a' })
    expect(afterA.versions.map((v) => v.key)).toEqual(['b'])
  })

  it('rolls versions up by delimiter', async () => {
    await put(t.engine, B, 'me/x/1', '1')
    await put(t.engine, B, 'me/x/1', '2')
    await put(t.engine, B, 'me/y', '1')
    const page = await t.engine.listObjectVersions({ bucket: B, prefix: 'me/', delimiter: '/', maxKeys: 10 })
    expect(page.commonPrefixes).toEqual(['me/x/'])
    expect(page.versions.map((v) => v.key)).toEqual(['me/y'])
  })

  it('copies a given source version', async () => {
    const v1 = await put(t.engine, B, 'src', 'old')
    await put(t.engine, B, 'src', 'new')
    const copy = await t.engine.copyObject({
      source: { bucket: B, key: 'src', versionId: v1.versionId },
      bucket: B,
      key: 'dst',
      metadataDirective: 'COPY',
      headers: { metadata: {} },
    })
    expect(copy.sourceVersionId).toBe(v1.versionId)
    expect(await getText(t.engine, B, 'dst')).toBe('old')
  })

  it('suspended versioning overwrites the null version and keeps the enabled-era versions', async () => {
    const kept = await put(t.engine, B, 'k', 'enabled era')
    await t.engine.setVersioning(B, 'Suspended')
    const n1 = await put(t.engine, B, 'k', 'null one')
    const n2 = await put(t.engine, B, 'k', 'null two')
    expect([n1.versionId, n2.versionId]).toEqual(['null', 'null'])
    const versions = (await t.engine.listObjectVersions({ bucket: B, maxKeys: 10 })).versions
    expect(versions.map((v) => v.versionId)).toEqual(['null', kept.versionId])
    expect(await getText(t.engine, B, 'k', 'null')).toBe('null two')
    const marker = await t.engine.deleteObject({ bucket: B, key: 'k' })
    expect(marker).toEqual({ deleteMarker: true, versionId: 'null' })
    expect((await t.engine.listObjectVersions({ bucket: B, maxKeys: 10 })).versions.map((v) => [v.versionId, v.isDeleteMarker])).toEqual([
      ['null', true],
      [kept.versionId, false],
    ])
  })
})

describe('lifecycle (moved clock)', () => {
  it('expires noncurrent versions after N days but keeps the newest M of each key', async () => {
    const versions = []
    for (let i = 0; i < 8; i++) versions.push(await put(t.engine, B, 'hist', `v${i}`))
    t.clock.advanceDays(29)
    expect(await t.engine.runLifecycle(t.clock.now)).toEqual({ expiredVersions: 0, abortedUploads: 0 })
    t.clock.advanceDays(2)
    expect(await t.engine.runLifecycle(t.clock.now)).toEqual({ expiredVersions: 4, abortedUploads: 0 })
    const left = (await t.engine.listObjectVersions({ bucket: B, maxKeys: 100 })).versions.map((v) => v.versionId)
    // The current version plus the 3 newest noncurrent ones (default rules).
    expect(left).toEqual(
      versions
        .slice(4)
        .reverse()
        .map((v) => v.versionId),
    )
    expect(await getText(t.engine, B, 'hist', versions[4]!.versionId)).toBe('v4')
  })

  it('counts NoncurrentDays from when a version was superseded', async () => {
    await t.reopen()
    for (let i = 0; i < 5; i++) await put(t.engine, B, 'k', `v${i}`)
    t.clock.advanceDays(25)
    await put(t.engine, B, 'k', 'v5') // v4 becomes noncurrent now
    t.clock.advanceDays(6)
    // v0 and v1 are 31 days noncurrent and beyond the newest 3 (v4, v3, v2): they go.
    expect((await t.engine.runLifecycle(t.clock.now)).expiredVersions).toBe(2)
  })

  it('keeps a delete marker while history is kept, and aborts uploads older than D days', async () => {
    await put(t.engine, B, 'gone', 'x')
    await t.engine.deleteObject({ bucket: B, key: 'gone' })
    const { uploadId } = await t.engine.createMultipartUpload({ bucket: B, key: 'stale', headers: { metadata: {} } })
    t.clock.advanceDays(6)
    await t.engine.createMultipartUpload({ bucket: B, key: 'fresh', headers: { metadata: {} } })
    t.clock.advanceDays(2)
    // With newerNoncurrentVersions 3 the old version is kept, so the marker stays too.
    expect(await t.engine.runLifecycle(t.clock.now)).toEqual({ expiredVersions: 0, abortedUploads: 1 })
    expect((await t.engine.listMultipartUploads({ bucket: B, maxUploads: 10 })).uploads.map((u) => u.key)).toEqual(['fresh'])
    expect(uploadId).toBeTruthy()
  })

  it('expired object delete markers go when nothing else is left (rules with M = 0)', async () => {
    const dir = t.dir
    await t.engine.close()
    const { createS3Engine } = await import('./engine.js')
    t.engine = await createS3Engine({
      dir,
      region: 'us-east-1',
      now: () => t.clock.now,
      lifecycle: { noncurrentDays: 1, newerNoncurrentVersions: 0, abortIncompleteMultipartDays: 7 },
    })
    await put(t.engine, B, 'gone', 'x')
    await t.engine.deleteObject({ bucket: B, key: 'gone' })
    t.clock.advanceDays(2)
    expect((await t.engine.runLifecycle(t.clock.now)).expiredVersions).toBe(2)
    expect((await t.engine.listObjectVersions({ bucket: B, maxKeys: 10 })).versions).toEqual([])
  })
})
