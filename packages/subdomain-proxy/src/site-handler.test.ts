import { beforeEach, describe, expect, it } from 'vitest'
import { memoryObjects } from '../test/fixtures/memory-objects.js'
import { contentTypeOf, createSiteHandler, type SiteRequest, type SiteResponse } from './site-handler.js'

const ALICE = 'us-east-1:11111111-1111-4111-8111-111111111111'
const BOB = 'us-east-1:22222222-2222-4222-8222-222222222222'
const handles: Record<string, string> = { alice: ALICE, bob: BOB }

let objects: ReturnType<typeof memoryObjects>
let site: ReturnType<typeof createSiteHandler>

beforeEach(() => {
  objects = memoryObjects()
  objects.put(`${ALICE}/public/index.html`, '<h1>Alice</h1>', 'text/html')
  objects.put(`${ALICE}/public/cat.png`, new Uint8Array([137, 80, 78, 71, 1, 2, 3, 4, 5, 6]))
  objects.put(`${ALICE}/public/docs/index.html`, 'docs', 'text/html')
  objects.put(`${ALICE}/secret.txt`, 'private')
  objects.put(`${BOB}/public/index.html`, '<h1>Bob</h1>', 'text/html')
  objects.put(`${BOB}/public/404.html`, 'Bob lost it', 'text/html')
  site = createSiteHandler({ sitesDomain: 'whimsy.space', lookupHandle: async (h) => handles[h] ?? null, objects })
})

const get = (host: string, uri: string, extra: Partial<SiteRequest> = {}) => site.serve({ method: 'GET', host, uri, ...extra })
const text = (r: SiteResponse) => (typeof r.body === 'string' ? r.body : new TextDecoder().decode(r.body as Uint8Array))

describe('serving', () => {
  it('serves each user their own index.html, with the site headers', async () => {
    const a = await get('alice.whimsy.space', '/')
    const b = await get('BOB.whimsy.space', '/')
    expect([a.status, text(a)]).toEqual([200, '<h1>Alice</h1>'])
    expect([b.status, text(b)]).toEqual([200, '<h1>Bob</h1>'])
    expect(a.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': '*',
      'cache-control': 'public, max-age=60',
      'content-type': 'text/html',
      'content-length': '14',
      'accept-ranges': 'bytes',
    })
    expect(a.headers.etag).toMatch(/^"[0-9a-f]{32}"$/)
  })

  it('reads only keys under the public folder', async () => {
    for (const uri of ['/', '/secret.txt', '/../secret.txt', '/%2e%2e/secret.txt', '/public/../secret.txt', '/docs', '/nope'])
      await get('alice.whimsy.space', uri)
    expect(objects.reads.length).toBeGreaterThan(0)
    for (const key of objects.reads) expect(key.startsWith(`${ALICE}/public/`)).toBe(true)
  })

  it('gives a type from the name when S3 has only the generic one', async () => {
    expect((await get('alice.whimsy.space', '/cat.png')).headers['content-type']).toBe('image/png')
    expect(contentTypeOf('a/b.css', undefined)).toBe('text/css; charset=utf-8')
    expect(contentTypeOf('a/b.unknownext', 'binary/octet-stream')).toBe('application/octet-stream')
    expect(contentTypeOf('a.html', 'text/plain')).toBe('text/plain')
  })

  it('answers Range with 206, a bad one with 416, and If-None-Match with 304', async () => {
    const part = await get('alice.whimsy.space', '/cat.png', { headers: { range: 'bytes=2-4' } })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe('bytes 2-4/10')
    expect(part.headers['content-length']).toBe('3')
    expect([...(part.body as Uint8Array)]).toEqual([78, 71, 1])
    const suffix = await get('alice.whimsy.space', '/cat.png', { headers: { range: 'bytes=-2' } })
    expect([...(suffix.body as Uint8Array)]).toEqual([5, 6])
    const bad = await get('alice.whimsy.space', '/cat.png', { headers: { range: 'bytes=50-' } })
    expect([bad.status, bad.headers['content-range']]).toEqual([416, 'bytes */10'])
    const etag = (await get('alice.whimsy.space', '/')).headers.etag
    const cached = await get('alice.whimsy.space', '/', { headers: { 'if-none-match': etag } })
    expect(cached.status).toBe(304)
    expect(cached.body).toBeUndefined()
    expect(cached.headers.etag).toBe(etag)
    const stale = await get('alice.whimsy.space', '/', { headers: { 'if-none-match': '"other"' } })
    expect(stale.status).toBe(200)
  })

  it('answers HEAD without a body', async () => {
    const r = await site.serve({ method: 'HEAD', host: 'alice.whimsy.space', uri: '/' })
    expect([r.status, r.body, r.headers['content-length']]).toEqual([200, undefined, '14'])
  })
})

describe('caching', () => {
  it("never passes on the owner's long Cache-Control (a handle can change hands)", async () => {
    objects.put(`${ALICE}/public/forever.html`, 'x', 'text/html')
    objects.setCacheControl(`${ALICE}/public/forever.html`, 'public, max-age=31536000, immutable')
    expect((await get('alice.whimsy.space', '/forever.html')).headers['cache-control']).toBe('public, max-age=60')
    objects.setCacheControl(`${ALICE}/public/forever.html`, 'private, no-store')
    expect((await get('alice.whimsy.space', '/forever.html')).headers['cache-control']).toBe('no-cache')
  })
})

describe('what is not there', () => {
  it('redirects a folder named without its slash, keeping the query', async () => {
    const r = await get('alice.whimsy.space', '/docs', { query: 'a=1' })
    expect([r.status, r.headers.location]).toEqual([301, '/docs/?a=1'])
  })

  it("serves the site's own 404.html, else a plain page — never S3's XML", async () => {
    const bob = await get('bob.whimsy.space', '/missing')
    expect([bob.status, text(bob)]).toEqual([404, 'Bob lost it'])
    const alice = await get('alice.whimsy.space', '/missing.html')
    expect(alice.status).toBe(404)
    expect(alice.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(text(alice)).toContain('Not found')
    expect(text(alice)).not.toContain('<Error>')
  })

  it('gives unknown handles and non-site hosts the same 404, and hostile paths 400', async () => {
    const unknown = await get('carol.whimsy.space', '/')
    const apex = await get('whimsy.space', '/')
    expect(unknown.status).toBe(404)
    expect(text(unknown)).toBe(text(apex))
    expect((await get('alice.whimsy.space', '/%2e%2e/secret.txt')).status).toBe(400)
  })

  it('answers preflights, refuses writes, and reports a registry outage as 502', async () => {
    const pre = await site.serve({ method: 'OPTIONS', host: 'alice.whimsy.space', uri: '/' })
    expect(pre.status).toBe(204)
    expect(pre.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS')
    const put = await site.serve({ method: 'PUT', host: 'alice.whimsy.space', uri: '/' })
    expect([put.status, put.headers.allow]).toEqual([405, 'GET, HEAD, OPTIONS'])
    const down = createSiteHandler({
      sitesDomain: 'whimsy.space',
      lookupHandle: async () => {
        throw new Error('down')
      },
      objects,
    })
    expect((await down.serve({ method: 'GET', host: 'alice.whimsy.space', uri: '/' })).status).toBe(502)
  })
})
