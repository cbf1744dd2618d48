/**
 * File names in `whimsy.fs` (issue 11, finding 3), against the running local cloud: names the
 * path rules refuse can still be put into a user's folder by any S3 client with the user's
 * own credentials; whatever a listing then shows, the owner can act on by passing the entry.
 * Names that display as something else are never created through the SDK.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../../../test/fault-proxy.js'
import { adminS3 } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import { createWhimsy, type FileEntry, type SessionStorage, type Whimsy } from '../src/index.js'
import { PASSWORD, signedInWhimsy } from './sdk-users.js'
import { codeOf, errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')
const { bucket } = cloud.config
let whimsy: Whimsy
let storage: SessionStorage
let id: string
/** The user's own credentials in a plain S3 client: "any S3 client" writing into their folder. */
let raw: S3Client

beforeAll(async () => {
  ;({ whimsy, storage } = await signedInWhimsy(cloud, 'names'))
  const credentials = await sessionOf(whimsy.auth).credentials()
  id = credentials.identityId
  raw = new S3Client({ region: cloud.config.region, endpoint: cloud.config.endpoints?.s3, forcePathStyle: true, credentials })
})

afterAll(() => raw.destroy())

async function all(iterable: AsyncIterable<FileEntry>): Promise<FileEntry[]> {
  const out: FileEntry[] = []
  for await (const entry of iterable) out.push(entry)
  return out
}

/** Writes `body` at `<identityId><path>` exactly, past the SDK's rules. */
async function plant(path: string, body: string): Promise<void> {
  await raw.send(new PutObjectCommand({ Bucket: bucket, Key: `${id}${path}`, Body: body }))
}

async function rawKeys(prefix: string): Promise<string[]> {
  const listed = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${id}${prefix}` }))
  return (listed.Contents ?? []).map((o) => o.Key ?? '')
}

async function only(folder: string | FileEntry): Promise<FileEntry> {
  const entries = await all(whimsy.fs.list(folder))
  expect(entries).toHaveLength(1)
  return entries[0] as FileEntry
}

// A carriage return is left out: XML listings turn it into a newline unless the engine honours
// EncodingType=url (the SDK asks for it and decodes; the unit tests cover the decoding).
const NAMES: [string, string][] = [
  ['a decomposed (NFD) accent', 'cafe\u0301.txt'],
  ['a bell (U+0007)', 'a\u0007b.txt'],
  ['a newline', 'line\nbreak.txt'],
  ['a tab', 'tab\there.txt'],
  ['DEL and a C1 control', 'del\u007f\u0085.txt'],
  ['a right-to-left override', 'invoice\u202efdp.exe'],
  ['a line separator', 'two\u2028lines.txt'],
]

describe('Regression (issue 11, finding 3): files the owner could not remove', () => {
  it.each(
    NAMES.map(([what, name], i) => [what, name, i] as const),
  )("a name with %s, written by another client, can be read, stat'ed, shared, copied, moved and removed through its entry", async (_what, name, i) => {
    const folder = `/odd-${i}`
    const body = `body of ${JSON.stringify(name)}`
    const size = new TextEncoder().encode(body).length
    await plant(`${folder}/${name}`, body)

    const entry = await only(folder)
    expect(entry).toMatchObject({ type: 'file', name, path: `${folder}/${name}`, key: `${id}${folder}/${name}`, size })

    expect(await whimsy.fs.readText(entry)).toBe(body)
    expect(new TextDecoder().decode(await whimsy.fs.read(entry, { range: { start: 0, end: 3 } }))).toBe('body')
    expect(await (await whimsy.fs.readBlob(entry)).text()).toBe(body)
    expect(await whimsy.fs.stat(entry)).toMatchObject({ type: 'file', name, key: entry.key, size, etag: entry.etag })
    expect(await whimsy.fs.exists(entry)).toBe(true)
    expect(await (await fetch(await whimsy.fs.shareUrl(entry, { expiresIn: 60 }))).text()).toBe(body)

    await whimsy.fs.copy(entry, `${folder}-copy/copied.txt`)
    expect(await whimsy.fs.readText(`${folder}-copy/copied.txt`)).toBe(body)
    expect(await whimsy.fs.readText(entry)).toBe(body) // a copy keeps the original

    await whimsy.fs.move(entry, `${folder}-moved/renamed.txt`)
    expect(await whimsy.fs.readText(`${folder}-moved/renamed.txt`)).toBe(body)
    expect(await whimsy.fs.exists(entry)).toBe(false)
    expect(await rawKeys(`${folder}/`)).toEqual([])

    await plant(`${folder}/${name}`, body)
    const again = await only(folder)
    await whimsy.fs.remove(again)
    expect(await whimsy.fs.exists(again)).toBe(false)
    expect(await all(whimsy.fs.list(folder))).toEqual([])
    expect(await rawKeys(`${folder}/`)).toEqual([])
  })

  it('a folder whose name has a control character and an NFD accent can be listed, copied, moved and removed through its entry', async () => {
    const odd = 'dir\u0007 cafe\u0301'
    const plantTree = async () => {
      await plant(`/tree/${odd}/inner\n.txt`, 'inner')
      await plant(`/tree/${odd}/deeper/x.txt`, 'x')
    }
    await plantTree()
    const folder = await only('/tree')
    expect(folder).toMatchObject({ type: 'folder', name: odd, path: `/tree/${odd}`, key: `${id}/tree/${odd}/` })
    expect(await whimsy.fs.stat(folder)).toMatchObject({ type: 'folder', name: odd, key: folder.key })

    const inside = await all(whimsy.fs.list(folder))
    expect(inside.map((e) => [e.type, e.name])).toEqual([
      ['folder', 'deeper'],
      ['file', 'inner\n.txt'],
    ])
    expect(await whimsy.fs.readText(inside[1] as FileEntry)).toBe('inner')
    expect((await all(whimsy.fs.list(inside[0] as FileEntry))).map((e) => e.name)).toEqual(['x.txt'])
    expect((await whimsy.fs.listPage(folder, { recursive: true })).entries.map((e) => e.key)).toEqual([
      `${id}/tree/${odd}/deeper/x.txt`,
      `${id}/tree/${odd}/inner\n.txt`,
    ])
    expect(await codeOf(whimsy.fs.readText(folder))).toBe('InvalidPath') // a folder, not a file
    expect(await codeOf(whimsy.fs.shareUrl(folder))).toBe('InvalidPath')

    await whimsy.fs.copy(folder, '/tree-copy')
    expect((await all(whimsy.fs.list('/tree-copy', { recursive: true }))).map((e) => e.path)).toEqual(['/tree-copy/deeper/x.txt', '/tree-copy/inner\n.txt'])
    await whimsy.fs.move(folder, '/tree-moved')
    expect(await whimsy.fs.readText('/tree-moved/deeper/x.txt')).toBe('x')
    expect(await whimsy.fs.exists(folder)).toBe(false)

    await plantTree()
    const planted = await only('/tree')
    expect(await codeOf(whimsy.fs.remove(planted))).toBe('InvalidInput') // not empty: recursive, as for paths
    await whimsy.fs.remove(planted, { recursive: true })
    expect(await all(whimsy.fs.list('/tree'))).toEqual([])
    expect(await rawKeys('/tree/')).toEqual([])
  })

  it('a name with a carriage return works through its entry (listings are url-encoded)', async () => {
    // XML turns a CR into a LF, so only a listing with EncodingType=url can name this key.
    await plant('/cr/a\rb.txt', 'carriage return')
    const entry = await only('/cr')
    expect(entry.key).toBe(`${id}/cr/a\rb.txt`)
    expect(await whimsy.fs.readText(entry)).toBe('carriage return')
    await whimsy.fs.remove('/cr', { recursive: true })
    expect(await rawKeys('/cr/')).toEqual([])
  })

  it('a public file with such a name has a public address through its entry', async () => {
    await plant('/public/odd/cafe\u0301 \u0007.txt', 'public body')
    const entry = await only('/public/odd')
    const url = whimsy.fs.publicUrl(entry)
    expect(await (await fetch(url)).text()).toBe('public body')
    expect(() => whimsy.fs.publicUrl(entry.path)).toThrow(/control characters/) // the path string breaks the rules
  })

  it('a path string keeps following the rules: the NFC spelling of an NFD key is another file', async () => {
    await plant('/nfd/cafe\u0301.txt', 'decomposed')
    expect(await codeOf(whimsy.fs.readText('/nfd/cafe\u0301.txt'))).toBe('NotFound') // NFC: /nfd/café.txt
    expect(await whimsy.fs.readText(await only('/nfd'))).toBe('decomposed')
  })
})

describe('Regression (issue 11, finding 3): deleting the account leaves no such file behind', () => {
  it('removes keys with control characters, NFD accents and bidi controls with the rest', async () => {
    const { whimsy: leaver } = await signedInWhimsy(cloud, 'names-leaver')
    const credentials = await sessionOf(leaver.auth).credentials()
    const own = new S3Client({ region: cloud.config.region, endpoint: cloud.config.endpoints?.s3, forcePathStyle: true, credentials })
    const prefix = `${credentials.identityId}/`
    for (const [, name] of NAMES) await own.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}odd/${name}`, Body: name }))
    await leaver.fs.write('/plain.txt', 'plain')
    own.destroy()
    await leaver.auth.deleteAccount({ password: PASSWORD })
    const left = await adminS3(cloud).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
    expect((left.Contents ?? []).map((o) => o.Key)).toEqual([])
  })
})

describe('Regression (issue 11, finding 3): entries never reach past the caller’s own folder, and bad names are refused before any request', () => {
  let proxy: FaultProxy
  let via: Whimsy
  let victim: Whimsy
  let victimId: string

  beforeAll(async () => {
    ;({ whimsy: victim } = await signedInWhimsy(cloud, 'names-victim'))
    victimId = victim.auth.user?.identityId ?? ''
    await victim.fs.write('/notes/secret.txt', 'secret')
    await victim.fs.write('/public/page.html', 'page')
    // The same session, with every S3 request counted on its way to the gateway.
    proxy = await startFaultProxy(cloud.urls.api, () => false)
    via = createWhimsy({ ...cloud.config, endpoints: { ...cloud.config.endpoints, s3: proxy.url } }, { storage })
    await via.auth.ready
    await sessionOf(via.auth).credentials()
  })

  afterAll(() => proxy.close())

  it("an entry-like object naming another user's key is InvalidPath, with no request sent", async () => {
    const forwarded = proxy.forwarded
    const foreign = [
      { key: `${victimId}/notes/secret.txt` },
      { key: `${victimId}/notes/` },
      { key: `${victimId}/` },
      { key: victimId },
      // Dressed as an entry of one's own, the key is what counts.
      { name: 'secret.txt', path: '/notes/secret.txt', type: 'file', size: 6, key: `${victimId}/notes/secret.txt` } as FileEntry,
      // A climb out of one's own folder.
      { key: `${id}/../${victimId}/notes/secret.txt` },
    ]
    for (const ref of foreign) {
      const attempts: [string, () => Promise<unknown>][] = [
        ['read', () => via.fs.read(ref)],
        ['readText', () => via.fs.readText(ref)],
        ['readJSON', () => via.fs.readJSON(ref)],
        ['readBlob', () => via.fs.readBlob(ref)],
        ['stream', () => via.fs.stream(ref)],
        ['stat', () => via.fs.stat(ref)],
        ['exists', () => via.fs.exists(ref)],
        ['list', () => all(via.fs.list(ref))],
        ['listPage', () => via.fs.listPage(ref)],
        ['remove', () => via.fs.remove(ref, { recursive: true })],
        ['copy', () => via.fs.copy(ref, '/stolen.txt')],
        ['move', () => via.fs.move(ref, '/stolen.txt')],
        ['shareUrl', () => via.fs.shareUrl(ref)],
        ['publicUrl', async () => via.fs.publicUrl(ref)],
      ]
      for (const [verb, attempt] of attempts) {
        const error = await errorOf(attempt())
        expect([verb, ref.key, error.code]).toEqual([verb, ref.key, 'InvalidPath'])
      }
    }
    expect((await errorOf(via.fs.readText({ key: `${victimId}/notes/secret.txt` }))).message).toMatch(/not in your folder/)
    expect(() => via.fs.publicUrl({ key: `${victimId}/public/page.html` })).toThrow(/not in your folder/)
    expect(proxy.forwarded).toBe(forwarded)
    // Nothing of the victim's moved.
    const kept = await adminS3(cloud).send(new GetObjectCommand({ Bucket: bucket, Key: `${victimId}/notes/secret.txt` }))
    expect(await kept.Body?.transformToString()).toBe('secret')
    expect(await via.fs.exists('/stolen.txt')).toBe(false)
  })

  it.each([
    ['U+202E (RIGHT-TO-LEFT OVERRIDE)', '/invoice\u202efdp.exe', 'it can make a name display as something else'],
    ['U+202A (LEFT-TO-RIGHT EMBEDDING)', '/a\u202ab.txt', 'it can make a name display as something else'],
    ['U+2066 (LEFT-TO-RIGHT ISOLATE)', '/dir\u2066/a.txt', 'it can make a name display as something else'],
    ['U+200F (RIGHT-TO-LEFT MARK)', '/mark\u200f.txt', 'it can make a name display as something else'],
    ['U+061C (ARABIC LETTER MARK)', '/mark\u061c.txt', 'it can make a name display as something else'],
    ['U+2028 (LINE SEPARATOR)', '/two\u2028lines.txt', 'it breaks a name across lines'],
    ['U+2029 (PARAGRAPH SEPARATOR)', '/two\u2029paragraphs.txt', 'it breaks a name across lines'],
  ])('a name with %s is never created: InvalidPath, with no request sent', async (named, path, why) => {
    const forwarded = proxy.forwarded
    const creations: [string, () => Promise<unknown>][] = [
      ['write', () => via.fs.write(path, 'x')],
      ['upload', () => via.fs.upload(path, new Blob(['x']))],
      ['write (stream)', () => via.fs.write(path, new Blob(['x']).stream())],
      ['mkdir', () => via.fs.mkdir(path)],
      ['copy destination', () => via.fs.copy('/anything.txt', path)],
      ['move destination', () => via.fs.move('/anything.txt', path)],
      ['copy into a folder so named', () => via.fs.copy('/anything.txt', `${path}/inside.txt`)],
    ]
    for (const [verb, create] of creations) {
      const error = await errorOf(create())
      expect([verb, error.code]).toEqual([verb, 'InvalidPath'])
      expect(error.message).toContain(`File names cannot contain ${named}: ${why}.`)
      expect(error.message).not.toContain(path) // the message shows the character escaped
    }
    expect(proxy.forwarded).toBe(forwarded)
  })

  it('an entry is no way to create a name: write, mkdir and destinations take path strings only', async () => {
    const forwarded = proxy.forwarded
    const planted = { key: `${id}/invoice\u202efdp.exe` }
    const asPath = planted as unknown as string
    for (const create of [() => via.fs.write(asPath, 'x'), () => via.fs.mkdir(asPath), () => via.fs.copy('/anything.txt', asPath)]) {
      expect((await errorOf(create())).message).toMatch(/new name is given as a path string/)
    }
    expect(proxy.forwarded).toBe(forwarded)
    expect(await rawKeys('/invoice')).toEqual([])
  })

  it('control characters stay refused in new names, with no request sent', async () => {
    const forwarded = proxy.forwarded
    for (const path of ['/a\u0007b.txt', '/line\nbreak.txt', '/del\u007f.txt', '/nel\u0085.txt']) {
      const error = await errorOf(via.fs.write(path, 'x'))
      expect([path, error.code]).toEqual([path, 'InvalidPath'])
      expect(error.message).toMatch(/control characters.*U\+00/)
    }
    expect(proxy.forwarded).toBe(forwarded)
  })
})
