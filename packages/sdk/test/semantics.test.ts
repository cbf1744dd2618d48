/**
 * Issue 12, "Semantics": what `whimsy.fs` promised and did not do, each against the running
 * local cloud through the SDK.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { FileEntry, Whimsy } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'
import { codeOf, errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')
let whimsy: Whimsy

beforeAll(async () => {
  ;({ whimsy } = await signedInWhimsy(cloud, 'semantics'))
})

async function all(iterable: AsyncIterable<FileEntry>): Promise<FileEntry[]> {
  const out: FileEntry[] = []
  for await (const entry of iterable) out.push(entry)
  return out
}

describe('Issue 12: semantics of fs', () => {
  it('Issue 12: remove(p, { ifMatch }) deletes only that version, else Conflict and the file stays', async () => {
    const first = await whimsy.fs.write('/cond/a.txt', 'one')
    const second = await whimsy.fs.write('/cond/a.txt', 'two')
    expect(await codeOf(whimsy.fs.remove('/cond/a.txt', { ifMatch: first.etag as string }))).toBe('Conflict')
    expect(await whimsy.fs.readText('/cond/a.txt')).toBe('two')
    await whimsy.fs.remove('/cond/a.txt', { ifMatch: second.etag as string })
    expect(await whimsy.fs.exists('/cond/a.txt')).toBe(false)
  })

  it('Issue 12: remove(p, { ifMatch }) on a deleted file is Conflict, as the README promises', async () => {
    const written = await whimsy.fs.write('/cond/gone.txt', 'x')
    await whimsy.fs.remove('/cond/gone.txt')
    const error = await errorOf(whimsy.fs.remove('/cond/gone.txt', { ifMatch: written.etag as string }))
    expect(error.code).toBe('Conflict')
    expect(error.message).toMatch(/\/cond\/gone\.txt/)
    // Without a condition, removing what is not there stays NotFound.
    expect(await codeOf(whimsy.fs.remove('/cond/gone.txt'))).toBe('NotFound')
  })

  it('Issue 12: write(p, d, { ifMatch }) on a deleted file is Conflict', async () => {
    const written = await whimsy.fs.write('/cond/w.txt', 'x')
    await whimsy.fs.remove('/cond/w.txt')
    expect(await codeOf(whimsy.fs.write('/cond/w.txt', 'y', { ifMatch: written.etag as string }))).toBe('Conflict')
    expect(await whimsy.fs.exists('/cond/w.txt')).toBe(false)
  })

  it('Issue 12: copy(a, b, { overwrite: false }) is Conflict when b exists, and b is kept', async () => {
    await whimsy.fs.write('/ow/src.txt', 'new')
    await whimsy.fs.write('/ow/dst.txt', 'old')
    const error = await errorOf(whimsy.fs.copy('/ow/src.txt', '/ow/dst.txt', { overwrite: false }))
    expect(error.code).toBe('Conflict')
    expect(error.message).toMatch(/\/ow\/dst\.txt/)
    expect(await whimsy.fs.readText('/ow/dst.txt')).toBe('old')
    // To a free name it copies; by default an existing destination is replaced.
    await whimsy.fs.copy('/ow/src.txt', '/ow/free.txt', { overwrite: false })
    expect(await whimsy.fs.readText('/ow/free.txt')).toBe('new')
    await whimsy.fs.copy('/ow/src.txt', '/ow/dst.txt')
    expect(await whimsy.fs.readText('/ow/dst.txt')).toBe('new')
  })

  it('Issue 12: move(a, b, { overwrite: false }) is Conflict when b exists, and both files are kept', async () => {
    await whimsy.fs.write('/mv/src.txt', 'new')
    await whimsy.fs.write('/mv/dst.txt', 'old')
    expect(await codeOf(whimsy.fs.move('/mv/src.txt', '/mv/dst.txt', { overwrite: false }))).toBe('Conflict')
    expect(await whimsy.fs.readText('/mv/dst.txt')).toBe('old')
    expect(await whimsy.fs.readText('/mv/src.txt')).toBe('new')
  })

  it('Issue 12: move of a folder with { overwrite: false } keeps existing files and moves the rest', async () => {
    await whimsy.fs.write('/mvf/a/one.txt', '1')
    await whimsy.fs.write('/mvf/a/two.txt', '2')
    await whimsy.fs.write('/mvf/b/two.txt', 'kept')
    expect(await codeOf(whimsy.fs.move('/mvf/a', '/mvf/b', { overwrite: false }))).toBe('Conflict')
    expect(await whimsy.fs.readText('/mvf/b/two.txt')).toBe('kept')
    expect(await whimsy.fs.readText('/mvf/a/two.txt')).toBe('2')
  })

  it('Issue 12: list("/") includes folders that contain only folders', async () => {
    const { whimsy: fresh } = await signedInWhimsy(cloud, 'deep')
    await fresh.fs.write('/deep/a/b.txt', 'x')
    await fresh.fs.mkdir('/photos/2026')
    await fresh.fs.write('/top.txt', 't')
    const root = await all(fresh.fs.list('/'))
    expect(root.map((e) => `${e.type} ${e.path}`)).toEqual(['folder /deep', 'folder /photos', 'file /top.txt'])
    expect((await all(fresh.fs.list('/photos'))).map((e) => e.path)).toEqual(['/photos/2026'])
    expect((await fresh.fs.listPage('/')).entries.map((e) => e.path)).toEqual(['/deep', '/photos', '/top.txt'])
  })

  it('Issue 12: listPage({ pageSize: 2 }) returns at most 2 entries, and the pages together are the listing', async () => {
    const { whimsy: fresh } = await signedInWhimsy(cloud, 'pages')
    await fresh.fs.mkdir('/p/d1')
    await fresh.fs.mkdir('/p/d2/x')
    for (const name of ['f1.txt', 'f2.txt', 'f3.txt']) await fresh.fs.write(`/p/${name}`, name)
    await fresh.fs.mkdir('/p/empty')
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await fresh.fs.listPage('/p', { pageSize: 2, cursor })
      expect(page.entries.length).toBeLessThanOrEqual(2)
      seen.push(...page.entries.map((e) => e.path))
      cursor = page.cursor
      pages++
    } while (cursor && pages < 20)
    expect(seen.sort()).toEqual(['/p/d1', '/p/d2', '/p/empty', '/p/f1.txt', '/p/f2.txt', '/p/f3.txt'])
    const recursive = await fresh.fs.listPage('/p', { pageSize: 2, recursive: true })
    expect(recursive.entries.length).toBeLessThanOrEqual(2)
  })

  it('Issue 12 (README): metadata names come back lower-case; values must be printable ASCII', async () => {
    await whimsy.fs.write('/meta.txt', 'x', { metadata: { Author: 'Daniel', 'x-Rev': '2' } })
    expect((await whimsy.fs.stat('/meta.txt')).metadata).toEqual({ author: 'Daniel', 'x-rev': '2' })
    expect((await errorOf(whimsy.fs.write('/meta.txt', 'x', { metadata: { author: 'Zoë' } }))).code).toBe('InvalidInput')
  })

  it('Issue 12 (README): write resolves to the entry written; list recursive gives every file below, no folders', async () => {
    const entry = await whimsy.fs.write('/rec/a/b/c.txt', 'abc')
    expect(entry).toMatchObject({ name: 'c.txt', path: '/rec/a/b/c.txt', type: 'file', size: 3, contentType: 'text/plain; charset=utf-8' })
    expect(entry.etag).toMatch(/^"[0-9a-f]+"$/)
    expect(entry.key.endsWith('/rec/a/b/c.txt')).toBe(true)
    await whimsy.fs.mkdir('/rec/empty')
    await whimsy.fs.write('/rec/top.txt', 't')
    expect((await all(whimsy.fs.list('/rec', { recursive: true }))).map((e) => `${e.type} ${e.path}`)).toEqual(['file /rec/a/b/c.txt', 'file /rec/top.txt'])
  })
})
