import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestEngine, put, type TestEngine } from './fixture.js'

let t: TestEngine
const B = 'files'

beforeEach(async () => {
  t = await openTestEngine()
  await t.engine.createBucket(B)
})
afterEach(async () => {
  await t.dispose()
})

const keysOf = (result: { objects: { key: string }[] }) => result.objects.map((o) => o.key)

describe('ListObjects', () => {
  it('lists in UTF-8 binary order: `1999#` before `1999/`, `_ ` kept, non-ASCII after ASCII', async () => {
    const keys = ['1999/a', '1999#', '1999', '_ ', '_', 'Z', 'a', 'é', '\u{1F408}', '\uFFFD', 'a b']
    for (const key of keys) await put(t.engine, B, key, key)
    const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    expect(keysOf(await t.engine.listObjects({ bucket: B, maxKeys: 1000 }))).toEqual(expected)
    expect(expected.slice(0, 3)).toEqual(['1999', '1999#', '1999/a'])
  })

  it('rolls up folders, including folders that hold only folders, and counts prefixes towards max-keys', async () => {
    for (const key of ['me/a.txt', 'me/docs/x', 'me/docs/y', 'me/only-folders/inner/deep.txt', 'me/z.txt', 'other/q']) await put(t.engine, B, key, 'x')
    const page = await t.engine.listObjects({ bucket: B, prefix: 'me/', delimiter: '/', maxKeys: 1000 })
    expect(keysOf(page)).toEqual(['me/a.txt', 'me/z.txt'])
    expect(page.commonPrefixes).toEqual(['me/docs/', 'me/only-folders/'])
    expect(page.isTruncated).toBe(false)

    const first = await t.engine.listObjects({ bucket: B, prefix: 'me/', delimiter: '/', maxKeys: 2 })
    expect([...keysOf(first), ...first.commonPrefixes]).toEqual(['me/a.txt', 'me/docs/'])
    expect(first).toMatchObject({ isTruncated: true, lastReturned: 'me/docs/' })
    const second = await t.engine.listObjects({ bucket: B, prefix: 'me/', delimiter: '/', maxKeys: 2, after: first.lastReturned! })
    expect(second.commonPrefixes).toEqual(['me/only-folders/'])
    expect(keysOf(second)).toEqual(['me/z.txt'])
    expect(second.isTruncated).toBe(false)
  })

  it('pages through 2,500 keys with `after`', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `user/${String(i).padStart(5, '0')}`)
    for (let i = 0; i < keys.length; i += 250) await Promise.all(keys.slice(i, i + 250).map((k) => put(t.engine, B, k, 'x')))
    const seen: string[] = []
    let after: string | undefined
    let pages = 0
    for (;;) {
      const page = await t.engine.listObjects({ bucket: B, prefix: 'user/', maxKeys: 1000, ...(after ? { after } : {}) })
      seen.push(...keysOf(page))
      pages++
      if (!page.isTruncated) break
      after = page.lastReturned
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(keys)
  })

  it('lists 10,000 keys in one folder page by page, and rolls the big folder up into one prefix beside the next key', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `big/${String(i).padStart(5, '0')}`)
    for (let i = 0; i < keys.length; i += 500) await Promise.all(keys.slice(i, i + 500).map((k) => put(t.engine, B, k, '')))
    await put(t.engine, B, 'zz', '')
    // How fast is the bench's business (npm run bench: the S3 engine rows), not a timed assertion here.
    const rolled = await t.engine.listObjects({ bucket: B, delimiter: '/', maxKeys: 1000 })
    expect(rolled.commonPrefixes).toEqual(['big/'])
    expect(keysOf(rolled)).toEqual(['zz'])
    let count = 0
    let after: string | undefined
    for (;;) {
      const page = await t.engine.listObjects({ bucket: B, prefix: 'big/', maxKeys: 1000, ...(after ? { after } : {}) })
      count += page.objects.length
      if (!page.isTruncated) break
      after = page.lastReturned
    }
    expect(count).toBe(10_000)
  }, 120_000)

  it('Regression (S3 engine review, finding 5): max-keys 0 returns an empty page that is not truncated, as S3 does', async () => {
    // A truncated page with nothing in it has no marker to go on from: a client would loop.
    await put(t.engine, B, 'a', 'x')
    await t.engine.createMultipartUpload({ bucket: B, key: 'u', headers: { metadata: {} } })
    expect(await t.engine.listObjects({ bucket: B, maxKeys: 0 })).toEqual({ objects: [], commonPrefixes: [], isTruncated: false })
    expect(await t.engine.listObjectVersions({ bucket: B, maxKeys: 0 })).toEqual({ versions: [], commonPrefixes: [], isTruncated: false })
    expect(await t.engine.listMultipartUploads({ bucket: B, maxUploads: 0 })).toEqual({ uploads: [], commonPrefixes: [], isTruncated: false })
  })

  it('uses a multi-character, non-ASCII delimiter', async () => {
    for (const key of ['a→b→c', 'a→d', 'e']) await put(t.engine, B, key, 'x')
    const page = await t.engine.listObjects({ bucket: B, delimiter: '→', maxKeys: 10 })
    expect(page.commonPrefixes).toEqual(['a→'])
    expect(keysOf(page)).toEqual(['e'])
  })
})
