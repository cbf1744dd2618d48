/**
 * `whimsy.fs` end to end (issue 5), against the running local cloud through the SDK.
 */
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { adminS3, anonymousS3 } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import { toWhimsyError } from '../src/aws-errors.js'
import { createWhimsy, type FileEntry, memoryStorage, type Whimsy, WhimsyError } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'
import { codeOf } from './whimsy-errors.js'

const cloud = inject('cloud')
let whimsy: Whimsy

beforeAll(async () => {
  ;({ whimsy } = await signedInWhimsy(cloud, 'files'))
})

async function all(iterable: AsyncIterable<FileEntry>): Promise<FileEntry[]> {
  const out: FileEntry[] = []
  for await (const entry of iterable) out.push(entry)
  return out
}

/** Runs `jobs` with at most `limit` at once. */
async function pool<T>(jobs: (() => Promise<T>)[], limit = 16): Promise<T[]> {
  const results: T[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++
        results[i] = await (jobs[i] as () => Promise<T>)()
      }
    }),
  )
  return results
}

describe('reading and writing', () => {
  it('writes and reads back text, bytes, JSON, Blobs and streams', async () => {
    const written = await whimsy.fs.write('/notes/todo.txt', 'milk')
    expect(written).toMatchObject({ path: '/notes/todo.txt', name: 'todo.txt', type: 'file', size: 4 })
    expect(await whimsy.fs.readText('/notes/todo.txt')).toBe('milk')
    expect(Array.from(await whimsy.fs.read('/notes/todo.txt'))).toEqual([109, 105, 108, 107])

    await whimsy.fs.write('/data/settings.json', JSON.stringify({ dark: true }))
    expect(await whimsy.fs.readJSON('/data/settings.json')).toEqual({ dark: true })
    expect(await codeOf(whimsy.fs.readJSON('/notes/todo.txt'))).toBe('InvalidInput')

    const bytes = new Uint8Array(256).map((_, i) => i)
    await whimsy.fs.write('/bin/all-bytes.bin', bytes.buffer)
    expect(await whimsy.fs.read('/bin/all-bytes.bin')).toEqual(bytes)
    await whimsy.fs.write('/bin/view.bin', new DataView(bytes.buffer, 10, 5))
    expect(Array.from(await whimsy.fs.read('/bin/view.bin'))).toEqual([10, 11, 12, 13, 14])

    await whimsy.fs.write('/img/dot.png', new Blob([bytes]))
    const blob = await whimsy.fs.readBlob('/img/dot.png')
    expect(blob.type).toBe('image/png')
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes)

    const reader = (await whimsy.fs.stream('/bin/all-bytes.bin')).getReader()
    let streamed = 0
    for (let r = await reader.read(); !r.done; r = await reader.read()) streamed += r.value.byteLength
    expect(streamed).toBe(256)
  })

  it('writes a stream of unknown length (lib-storage) and reads a byte range', async () => {
    const chunks = ['alpha ', 'beta ', 'gamma']
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift()
        if (next === undefined) controller.close()
        else controller.enqueue(new TextEncoder().encode(next))
      },
    })
    expect((await whimsy.fs.write('/streamed.txt', stream)).size).toBe(16)
    expect(await whimsy.fs.readText('/streamed.txt')).toBe('alpha beta gamma')
    expect(await whimsy.fs.readText('/streamed.txt', { range: { start: 6, end: 9 } })).toBe('beta')
    expect(await whimsy.fs.readText('/streamed.txt', { range: { start: 11 } })).toBe('gamma')
  })

  it('sets Content-Type from the name unless given, and round-trips metadata', async () => {
    await whimsy.fs.write('/page.html', '<h1>hi</h1>', { metadata: { author: 'daniel', 'x-version': '3' } })
    const info = await whimsy.fs.stat('/page.html')
    expect(info).toMatchObject({ type: 'file', size: 11, contentType: 'text/html; charset=utf-8', metadata: { author: 'daniel', 'x-version': '3' } })
    expect(info.etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(info.modified).toBeInstanceOf(Date)
    await whimsy.fs.write('/page.bin', 'x', { contentType: 'application/x-custom' })
    expect((await whimsy.fs.stat('/page.bin')).contentType).toBe('application/x-custom')
    expect(await codeOf(whimsy.fs.write('/m.txt', 'x', { metadata: { 'bad name': 'v' } }))).toBe('InvalidInput')
  })

  it('says NotFound for a missing file, and exists() is false', async () => {
    const error = await whimsy.fs.readText('/nope/missing.txt').catch((e: WhimsyError) => e)
    expect(error).toBeInstanceOf(WhimsyError)
    expect((error as WhimsyError).code).toBe('NotFound')
    expect((error as WhimsyError).message).toMatch('/nope/missing.txt')
    expect(await whimsy.fs.exists('/nope/missing.txt')).toBe(false)
    expect(await whimsy.fs.exists('/notes/todo.txt')).toBe(true)
    expect(await whimsy.fs.exists('/notes')).toBe(true)
    expect(await codeOf(whimsy.fs.stat('/nope'))).toBe('NotFound')
  })
})

describe('conditional writes', () => {
  it('creates only once with ifNoneMatch', async () => {
    await whimsy.fs.write('/once.txt', 'first', { ifNoneMatch: '*' })
    expect(await codeOf(whimsy.fs.write('/once.txt', 'second', { ifNoneMatch: '*' }))).toBe('Conflict')
    expect(await whimsy.fs.readText('/once.txt')).toBe('first')
  })

  it('lets one of two concurrent ifMatch writers win; the other gets Conflict', async () => {
    const { etag } = await whimsy.fs.write('/race.txt', 'v1')
    const results = await Promise.allSettled([
      whimsy.fs.write('/race.txt', 'from A', { ifMatch: etag }),
      whimsy.fs.write('/race.txt', 'from B', { ifMatch: etag }),
    ])
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(failures).toHaveLength(1)
    expect((failures[0]?.reason as WhimsyError).code).toBe('Conflict')
    expect(['from A', 'from B']).toContain(await whimsy.fs.readText('/race.txt'))
  })
})

describe('paths', () => {
  it.each([
    ['relative/path.txt'],
    ['/a//b.txt'],
    ['/a/../b.txt'],
    ['/./a.txt'],
    ['/a\u0000b.txt'],
    ['/line\nbreak.txt'],
    [`/${'x'.repeat(1000)}`],
  ])('refuses %j before any request', async (path) => {
    // Nothing listens on port 9: a request would fail with Network, not InvalidPath.
    const offline = createWhimsy({ ...cloud.config, endpoints: { ...cloud.config.endpoints, s3: 'http://127.0.0.1:9' } }, { storage: memoryStorage() })
    expect(await codeOf(offline.fs.write(path, 'x'))).toBe('InvalidPath')
    expect(await codeOf(whimsy.fs.write(path, 'x'))).toBe('InvalidPath')
  })

  it.each([
    ['space', '/special/with space.txt'],
    ['plus', '/special/a+b.txt'],
    ['question mark', '/special/what?.txt'],
    ['hash', '/special/#1.txt'],
    ['percent', '/special/100%.txt'],
    ['percent escape', '/special/%20not-a-space.txt'],
    ['colon', '/special/12:30.txt'],
    ['ampersand and equals', '/special/a&b=c.txt'],
    ['Japanese', '/special/日本語のファイル.txt'],
    ['Cyrillic', '/special/файл.txt'],
    ['emoji', '/special/🎉 party.txt'],
    ['leading space', '/special/ leading.txt'],
    ['trailing space', '/special/trailing.txt '],
  ])('round-trips a name with a %s', async (_what, path) => {
    await whimsy.fs.write(path, path)
    expect(await whimsy.fs.readText(path)).toBe(path)
    const listed = await all(whimsy.fs.list('/special'))
    expect(listed.map((e) => e.path)).toContain(path)
    await whimsy.fs.copy(path, `/special-copy${path.slice('/special'.length)}`)
    expect(await whimsy.fs.readText(`/special-copy${path.slice('/special'.length)}`)).toBe(path)
  })

  it('stores names in NFC, so two spellings of é are one file', async () => {
    await whimsy.fs.write('/cafe\u0301.txt', 'decomposed')
    expect(await whimsy.fs.readText('/caf\u00e9.txt')).toBe('decomposed')
  })
})

describe('folders', () => {
  it('lists one level and recursively, and keeps empty folders', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'lister')
    await w.fs.write('/docs/a.txt', 'a')
    await w.fs.write('/docs/b.md', 'b')
    await w.fs.write('/docs/sub/c.txt', 'c')
    await w.fs.mkdir('/docs/empty')
    const level = await all(w.fs.list('/docs'))
    expect(level.map((e) => [e.type, e.path])).toEqual([
      ['folder', '/docs/empty'],
      ['folder', '/docs/sub'],
      ['file', '/docs/a.txt'],
      ['file', '/docs/b.md'],
    ])
    expect(level.find((e) => e.name === 'b.md')).toMatchObject({ size: 1, contentType: 'text/markdown; charset=utf-8' })
    expect(await all(w.fs.list('/docs/empty'))).toEqual([])
    expect((await w.fs.stat('/docs/empty')).type).toBe('folder')
    const deep = await all(w.fs.list('/', { recursive: true }))
    expect(deep.map((e) => e.path).sort()).toEqual(['/docs/a.txt', '/docs/b.md', '/docs/sub/c.txt'])
    expect(await w.fs.usage()).toEqual({ bytes: 3, files: 3 })
    expect(await codeOf(w.fs.mkdir('/docs/a.txt'))).toBe('Conflict')
  })

  it('pages through a folder of 5,000 files', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'many')
    const names = Array.from({ length: 5000 }, (_, i) => `f${String(i).padStart(5, '0')}.txt`)
    await pool(names.map((n) => () => w.fs.write(`/many/${n}`, n)))
    let pages = 0
    let cursor: string | undefined
    const seen: string[] = []
    do {
      const page = await w.fs.listPage('/many', { cursor, pageSize: 1000 })
      pages++
      seen.push(...page.entries.map((e) => e.name))
      cursor = page.cursor
    } while (cursor)
    expect(pages).toBe(5)
    expect(seen).toEqual(names)
    expect((await all(w.fs.list('/many'))).length).toBe(5000)
  }, 120_000)

  it('removes a file, refuses a non-empty folder without recursive, and removes it with progress', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'remover')
    await w.fs.write('/trash/one.txt', '1')
    await w.fs.remove('/trash/one.txt')
    expect(await w.fs.exists('/trash/one.txt')).toBe(false)
    await pool(Array.from({ length: 28 }, (_, i) => () => w.fs.write(`/trash/deep/${i}.txt`, String(i))))
    await w.fs.write('/trash/deep/ space before', 'x')
    await w.fs.write('/trash/deep/space after ', 'x')
    await w.fs.mkdir('/trash/deep/empty')
    expect(await codeOf(w.fs.remove('/trash'))).toBe('InvalidInput')
    const progress: number[] = []
    await w.fs.remove('/trash', { recursive: true, onProgress: ({ loaded }) => progress.push(loaded) })
    expect(progress.at(-1)).toBe(31)
    expect(await w.fs.exists('/trash')).toBe(false)
    expect(await codeOf(w.fs.remove('/trash', { recursive: true }))).toBe('NotFound')
    expect(await codeOf(w.fs.remove('/', { recursive: true }))).toBe('InvalidPath')
    await w.fs.mkdir('/lonely')
    await w.fs.remove('/lonely')
    expect(await w.fs.exists('/lonely')).toBe(false)
  })

  it('copies and moves files and folders server-side', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'mover')
    await w.fs.write('/a.txt', 'A')
    await w.fs.copy('/a.txt', '/b.txt')
    expect(await w.fs.readText('/b.txt')).toBe('A')
    await w.fs.move('/b.txt', '/moved/b.txt')
    expect(await w.fs.exists('/b.txt')).toBe(false)
    expect(await w.fs.readText('/moved/b.txt')).toBe('A')
    await w.fs.mkdir('/moved/empty')
    await w.fs.copy('/moved', '/copied')
    expect((await all(w.fs.list('/copied'))).map((e) => e.path)).toEqual(['/copied/empty', '/copied/b.txt'])
    expect(await codeOf(w.fs.move('/moved', '/moved/inside'))).toBe('InvalidPath')
    expect(await codeOf(w.fs.copy('/nothing', '/else'))).toBe('NotFound')
  })

  it('moves a folder of 500 files into /public and back, with progress', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'publisher')
    const names = Array.from({ length: 500 }, (_, i) => `p${i}.txt`)
    await pool(names.map((n) => () => w.fs.write(`/album/${n}`, `content of ${n}`)))
    const progress: { loaded: number; total?: number }[] = []
    await w.fs.move('/album', '/public/album', { onProgress: (p) => progress.push(p) })
    expect(progress.at(-1)).toMatchObject({ loaded: 500, total: 500 })
    expect(await w.fs.exists('/album')).toBe(false)
    expect((await all(w.fs.list('/public/album'))).length).toBe(500)
    // Public now: readable by anyone.
    const id = w.auth.user?.identityId
    const anonymous = await anonymousS3(cloud).send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${id}/public/album/p7.txt` }))
    expect(await anonymous.Body?.transformToString()).toBe('content of p7.txt')
    await w.fs.move('/public/album', '/album')
    expect(await w.fs.exists('/public/album')).toBe(false)
    const back = await all(w.fs.list('/album'))
    expect(back.map((e) => e.name).sort()).toEqual([...names].sort())
    expect(await w.fs.readText('/album/p499.txt')).toBe('content of p499.txt')
  }, 120_000)

  it('finishes an interrupted move when it is run again', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'resumer')
    await pool(Array.from({ length: 40 }, (_, i) => () => w.fs.write(`/src/${i}.txt`, String(i))))
    const stop = new AbortController()
    const moved = w.fs.move('/src', '/dst', { onProgress: ({ loaded }) => loaded >= 10 && stop.abort(), signal: stop.signal })
    expect(await codeOf(moved)).toBe('Aborted')
    const inBoth = (await all(w.fs.list('/src'))).length + (await all(w.fs.list('/dst'))).length
    expect(inBoth).toBeGreaterThanOrEqual(40) // nothing lost midway
    await w.fs.move('/src', '/dst')
    expect(await w.fs.exists('/src')).toBe(false)
    expect((await all(w.fs.list('/dst'))).length).toBe(40)
  })
})

describe('addresses', () => {
  it('gives public files a public URL and private files a time-limited share link', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'linker')
    await w.fs.write('/public/hello.txt', 'hello world')
    const url = w.fs.publicUrl('/public/hello.txt')
    expect(url).toContain(`/${cloud.config.bucket}/`)
    expect(await (await fetch(url)).text()).toBe('hello world')
    expect(() => w.fs.publicUrl('/private.txt')).toThrow(/private/)

    await w.fs.write('/private.txt', 'secret')
    expect((await fetch(w.fs.publicUrl('/public/hello.txt').replace('public/hello.txt', 'private.txt'))).status).toBe(403)
    const link = await w.fs.shareUrl('/private.txt', { expiresIn: 60 })
    expect(await (await fetch(link)).text()).toBe('secret')
    expect(await codeOf(w.fs.shareUrl('/private.txt', { expiresIn: 7 * 24 * 3600 }))).toBe('InvalidInput')
    expect(await codeOf(w.fs.shareUrl('/missing.txt'))).toBe('NotFound')
  })
})

describe("other users' files", () => {
  it('cannot be reached: the gateway denies and the SDK says Forbidden', async () => {
    const { whimsy: mallory } = await signedInWhimsy(cloud, 'mallory')
    const victimId = whimsy.auth.user?.identityId ?? ''
    const credentials = await sessionOf(mallory.auth).credentials()
    const { S3Client } = await import('@aws-sdk/client-s3')
    const raw = new S3Client({ region: cloud.config.region, endpoint: cloud.config.endpoints?.s3, forcePathStyle: true, credentials })
    const attempts = [
      () => raw.send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${victimId}/notes/todo.txt` })),
      () => raw.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${victimId}/notes/todo.txt`, Body: 'owned' })),
      () => raw.send(new ListObjectsV2Command({ Bucket: cloud.config.bucket, Prefix: `${victimId}/` })),
      () => raw.send(new DeleteObjectCommand({ Bucket: cloud.config.bucket, Key: `${victimId}/notes/todo.txt` })),
      // Copying the victim's file into one's own folder needs read access to the source.
      () =>
        raw.send(
          new CopyObjectCommand({
            Bucket: cloud.config.bucket,
            Key: `${credentials.identityId}/stolen.txt`,
            CopySource: `${cloud.config.bucket}/${encodeURIComponent(victimId)}/notes/todo.txt`,
          }),
        ),
    ]
    for (const attempt of attempts) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => toWhimsyError(e),
      )
      expect(error?.code).toBe('Forbidden')
    }
    // Through the SDK, paths cannot leave the user's own folder at all.
    expect(await codeOf(mallory.fs.readText(`/../${victimId}/notes/todo.txt`))).toBe('InvalidPath')
    expect(await whimsy.fs.readText('/notes/todo.txt')).toBe('milk')
    const admin = await adminS3(cloud).send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${victimId}/notes/todo.txt` }))
    expect(await admin.Body?.transformToString()).toBe('milk')
  })
})
