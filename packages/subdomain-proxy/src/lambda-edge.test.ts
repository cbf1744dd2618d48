import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { beforeEach, describe, expect, it } from 'vitest'
import { BUCKET_DOMAIN, originRequest, originResponse } from '../test/fixtures/cloudfront.js'
import { memoryObjects } from '../test/fixtures/memory-objects.js'
import { buildEdgeBundle } from './edge-bundle.js'
import { EdgeConfigError } from './edge-config.js'
import { type CloudFrontEvent, type CloudFrontRequest, type CloudFrontResponse, createEdgeHandler } from './lambda-edge.js'

const ALICE = 'us-east-1:11111111-1111-4111-8111-111111111111'
const BOB = 'us-east-1:22222222-2222-4222-8222-222222222222'
const config = { sitesDomain: 'whimsy.space', handlesApi: 'https://handles.example.com' }

let objects: ReturnType<typeof memoryObjects>
let lookups: string[]
let handler: (e: CloudFrontEvent) => Promise<CloudFrontRequest | CloudFrontResponse>

beforeEach(() => {
  objects = memoryObjects()
  objects.put(`${ALICE}/public/docs/index.html`, 'docs', 'text/html')
  objects.put(`${BOB}/public/404.html`, 'Bob lost it', 'text/html')
  lookups = []
  const ids: Record<string, string> = { alice: ALICE, bob: BOB }
  handler = createEdgeHandler(config, {
    lookupHandle: async (h) => {
      lookups.push(h)
      return ids[h] ?? null
    },
    objectsFor: (domain) => {
      expect(domain).toBe(BUCKET_DOMAIN)
      return objects
    },
  })
})

const asRequest = (r: CloudFrontRequest | CloudFrontResponse) => r as CloudFrontRequest
const asResponse = (r: CloudFrontRequest | CloudFrontResponse) => r as CloudFrontResponse

describe('origin-request', () => {
  it("rewrites the uri into the handle owner's public folder and points Host at the bucket", async () => {
    const out = asRequest(await handler(originRequest('Alice.Whimsy.Space', '/blog/')))
    expect(out.uri).toBe('/us-east-1%3A11111111-1111-4111-8111-111111111111/public/blog/index.html')
    expect(out.headers.host).toEqual([{ key: 'Host', value: BUCKET_DOMAIN }])
    expect(out.headers['user-agent']).toBeDefined()
    // S3 honours response-* overrides on signed (OAC) requests: the query never reaches it.
    const query = asRequest(await handler(originRequest('alice.whimsy.space', '/cat.png', { querystring: 'response-content-type=text/html&versionId=1' })))
    expect(query.querystring).toBe('')
    expect(asRequest(await handler(originRequest('bob.whimsy.space', '/')))).toMatchObject({ uri: `/${encodeURIComponent(BOB)}/public/index.html` })
    expect(asRequest(await handler(originRequest('alice.whimsy.space', '/a%20b/c.png')))).toMatchObject({
      uri: `/${encodeURIComponent(ALICE)}/public/a%20b/c.png`,
    })
  })

  it('generates 400 for hostile paths and 404 for non-site hosts, without a lookup', async () => {
    for (const uri of ['/%2e%2e/secret', '/a%2fb', '//x', '/a\\b', '/%00'])
      expect(asResponse(await handler(originRequest('alice.whimsy.space', uri)))).toMatchObject({ status: '400' })
    for (const host of ['whimsy.space', 'a.alice.whimsy.space', 'alice.whimsy.space.', 'alice.whimsy.space:443', 'alice.evil.com']) {
      const r = asResponse(await handler(originRequest(host, '/')))
      expect(r.status).toBe('404')
      expect(r.headers['x-content-type-options']).toEqual([{ key: 'X-Content-Type-Options', value: 'nosniff' }])
      expect(r.headers['content-length']).toBeUndefined()
      expect(r.bodyEncoding).toBe('text')
    }
    expect(lookups).toEqual([])
  })

  it('generates 404 for an unknown handle, 405 for writes and a CORS preflight answer', async () => {
    expect(asResponse(await handler(originRequest('carol.whimsy.space', '/')))).toMatchObject({ status: '404' })
    expect(asResponse(await handler(originRequest('alice.whimsy.space', '/', { method: 'POST' })))).toMatchObject({ status: '405' })
    const pre = asResponse(await handler(originRequest('alice.whimsy.space', '/', { method: 'OPTIONS' })))
    expect(pre.status).toBe('204')
    expect(pre.headers['access-control-allow-origin']).toEqual([{ key: 'Access-Control-Allow-Origin', value: '*' }])
  })
})

describe('origin-response', () => {
  const aliceUri = (path: string) => `/${encodeURIComponent(ALICE)}/public/${path}`

  it("adds the site headers to S3's answer and fixes a generic content type", async () => {
    const r = asResponse(
      await handler(originResponse(aliceUri('cat.png'), 200, { 'Content-Type': 'binary/octet-stream', ETag: '"abc"', 'Content-Length': '10' })),
    )
    expect(r.status).toBe('200')
    expect(r.headers['content-type']).toEqual([{ key: 'Content-Type', value: 'image/png' }])
    expect(r.headers['x-content-type-options']?.[0]?.value).toBe('nosniff')
    expect(r.headers['access-control-allow-origin']?.[0]?.value).toBe('*')
    expect(r.headers['cache-control']?.[0]?.value).toBe('public, max-age=60')
    expect(r.headers.etag?.[0]?.value).toBe('"abc"')
  })

  it("caps the owner's Cache-Control, so a page cannot outlive a handle's change of hands (review)", async () => {
    const year = asResponse(
      await handler(
        originResponse(aliceUri('index.html'), 200, { 'Content-Type': 'text/html', 'Cache-Control': 'public, s-maxage=31536000, max-age=31536000, immutable' }),
      ),
    )
    expect(year.headers['cache-control']?.[0]?.value).toBe('public, max-age=60')
    const none = asResponse(await handler(originResponse(aliceUri('index.html'), 200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' })))
    expect(none.headers['cache-control']?.[0]?.value).toBe('no-cache')
  })

  it("answers S3's own failures with a plain page, never S3's XML", async () => {
    const r = asResponse(await handler(originResponse(aliceUri('index.html'), 503, { 'Content-Type': 'application/xml' })))
    expect(r.status).toBe('502')
    expect(r.body).not.toContain('<Error>')
    expect(r.headers['content-type']?.[0]?.value).toBe('text/plain; charset=utf-8')
  })

  it("answers S3's 416 (a range past the end) without S3's XML, keeping its Content-Range", async () => {
    const r = asResponse(await handler(originResponse(aliceUri('cat.png'), 416, { 'Content-Type': 'application/xml', 'Content-Range': 'bytes */10' })))
    expect([r.status, r.body]).toEqual(['416', ''])
    expect(r.headers['content-type']?.[0]?.value).toBe('text/plain; charset=utf-8')
    expect(r.headers['content-range']?.[0]?.value).toBe('bytes */10')
    expect(r.headers['x-content-type-options']?.[0]?.value).toBe('nosniff')
  })

  it('keeps the query on a folder redirect, though S3 never sees it (review)', async () => {
    const sent = asRequest(await handler(originRequest('alice.whimsy.space', '/docs', { querystring: 'page=2' })))
    expect(sent.querystring).toBe('')
    const event = originResponse(sent.uri, 403, { 'Content-Type': 'application/xml' })
    const record = event.Records[0]?.cf
    if (!record) throw new Error('fixture without a record')
    record.request = sent
    const redirect = asResponse(await handler(event))
    expect(redirect.status).toBe('301')
    expect(redirect.headers.location).toEqual([{ key: 'Location', value: '/docs/?page=2' }])
  })

  it("turns S3's 403 for a folder into a redirect, and any other miss into the site's 404", async () => {
    const folder = asResponse(await handler(originResponse(aliceUri('docs'), 403, { 'Content-Type': 'application/xml' })))
    expect(folder.status).toBe('301')
    expect(folder.headers.location).toEqual([{ key: 'Location', value: '/docs/' }])
    const plain = asResponse(await handler(originResponse(aliceUri('nope.html'), 403, { 'Content-Type': 'application/xml' })))
    expect(plain.status).toBe('404')
    expect(plain.body).toContain('Not found')
    expect(plain.body).not.toContain('<Error>')
    const bob = asResponse(await handler(originResponse(`/${encodeURIComponent(BOB)}/public/gone`, 404)))
    expect([bob.status, bob.body]).toEqual(['404', 'Bob lost it'])
    for (const key of objects.reads) expect(key).toMatch(/^us-east-1:[0-9a-f-]+\/public\//)
  })
})

describe('configuration and bundle', () => {
  it('refuses a configuration without its fields, naming the field', () => {
    expect(() => createEdgeHandler({ sitesDomain: '', handlesApi: 'https://x' })).toThrow(EdgeConfigError)
    expect(() => createEdgeHandler({ sitesDomain: 'whimsy.space', handlesApi: 'not a url' })).toThrow(/handlesApi/)
    expect(() => createEdgeHandler({ sitesDomain: 'whimsy.space', handlesApi: 'http://handles.example.com' })).toThrow(/https/)
  })

  it('bundles into one small file that loads and answers with its baked-in configuration', async () => {
    const bundle = await buildEdgeBundle(config)
    const gzipped = gzipSync(bundle.code).length
    console.log(`Lambda@Edge bundle: ${bundle.bytes} bytes, ${gzipped} gzipped`)
    expect(bundle.bytes).toBeLessThan(100_000)
    expect(bundle.code).not.toMatch(/@aws-sdk/)
    const dir = mkdtempSync(join(tmpdir(), 'edge-bundle-'))
    try {
      const file = join(dir, 'lambda-edge.mjs')
      writeFileSync(file, bundle.code)
      const loaded = (await import(pathToFileURL(file).href)) as { handler: typeof handler }
      expect(asResponse(await loaded.handler(originRequest('whimsy.space', '/'))).status).toBe('404')
      expect(asResponse(await loaded.handler(originRequest('alice.whimsy.space', '/%2e%2e/x'))).status).toBe('400')
      // Another sites domain is not this bundle's: its hosts are nobody's site.
      expect(asResponse(await loaded.handler(originRequest('alice.other.space', '/'))).status).toBe('404')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
