/**
 * The sites distribution's two steps in CloudFront's order: the viewer-request CloudFront
 * Function (its deployed source, run here) moves the host into the URI; the origin-request
 * Lambda@Edge puts it back and runs `@whimsy/sites`' handler. Hand-built CloudFront events, an
 * in-memory bucket and a fixed handle table, as the sites package's own edge tests use.
 */

import type { CloudFrontRequest, CloudFrontResponse } from '@whimsy/sites/lambda-edge'
import { beforeEach, describe, expect, it } from 'vitest'
import { BUCKET_DOMAIN, originRequest, originResponse } from '../../../packages/subdomain-proxy/test/fixtures/cloudfront.js'
import { memoryObjects } from '../../../packages/subdomain-proxy/test/fixtures/memory-objects.js'
import { createSitesOriginHandler } from './sites-origin.js'
import { VIEWER_REQUEST_CODE } from './viewer-request.js'

const ALICE = 'eu-west-1:11111111-1111-4111-8111-111111111111'
const BOB = 'eu-west-1:22222222-2222-4222-8222-222222222222'

type ViewerRequest = { uri: string; headers: Record<string, { value: string }> }
// The deployed source, evaluated as CloudFront's runtime would: it defines `handler(event)`.
const viewerRequest = new Function(`${VIEWER_REQUEST_CODE}; return handler`)() as (event: { request: ViewerRequest }) => ViewerRequest

let lookups: string[]
let handler: ReturnType<typeof createSitesOriginHandler>
let objects: ReturnType<typeof memoryObjects>

beforeEach(() => {
  objects = memoryObjects()
  objects.put(`${ALICE}/public/index.html`, 'alice home', 'text/html')
  objects.put(`${ALICE}/public/docs/index.html`, 'docs', 'text/html')
  objects.put(`${BOB}/public/index.html`, 'bob home', 'text/html')
  objects.put(`${BOB}/public/404.html`, 'Bob lost it', 'text/html')
  lookups = []
  const ids: Record<string, string> = { alice: ALICE, bob: BOB }
  handler = createSitesOriginHandler(
    { sitesDomain: 'whimsy.space', handlesApi: 'https://handles.example.com' },
    {
      lookupHandle: async (h) => {
        lookups.push(h)
        return ids[h] ?? null
      },
      objectsFor: () => objects,
    },
  )
})

/** Viewer request → what reaches origin-request: the rewritten URI, and Host now the origin's (not forwarded). */
async function visit(host: string, uri: string): Promise<{ cacheKey: string; out: CloudFrontRequest | CloudFrontResponse }> {
  const viewed = viewerRequest({ request: { uri, headers: { host: { value: host } } } })
  const event = originRequest(BUCKET_DOMAIN, viewed.uri)
  return { cacheKey: viewed.uri, out: await handler(event) }
}

describe('viewer-request then origin-request', () => {
  it("maps <handle>.<sitesDomain>/<path> to the handle owner's public folder", async () => {
    const { cacheKey, out } = await visit('Alice.Whimsy.Space', '/docs/')
    expect(cacheKey).toBe('/alice.whimsy.space/docs/')
    expect(out).toMatchObject({ uri: `/${encodeURIComponent(ALICE)}/public/docs/index.html`, headers: { host: [{ key: 'Host', value: BUCKET_DOMAIN }] } })
  })

  it('one path on two sites has two cache keys and two objects, with no Host in the key', async () => {
    const a = await visit('alice.whimsy.space', '/')
    const b = await visit('bob.whimsy.space', '/')
    expect(a.cacheKey).not.toBe(b.cacheKey)
    expect((a.out as CloudFrontRequest).uri).toBe(`/${encodeURIComponent(ALICE)}/public/index.html`)
    expect((b.out as CloudFrontRequest).uri).toBe(`/${encodeURIComponent(BOB)}/public/index.html`)
  })

  it('hostile paths still answer 400, and hosts that are not a site 404, without a lookup', async () => {
    for (const uri of ['/%2e%2e/secret', '/a%2fb', '//x', '/a\\b'])
      expect(((await visit('alice.whimsy.space', uri)).out as CloudFrontResponse).status, uri).toBe('400')
    for (const host of ['whimsy.space', 'a.alice.whimsy.space', 'alice.evil.com', 'd111111abcdef8.cloudfront.net', ''])
      expect(((await visit(host, '/')).out as CloudFrontResponse).status, host).toBe('404')
    expect(lookups).toEqual([])
  })

  it('a URI the viewer step did not write (an undecodable host segment) is a 404', async () => {
    const out = (await handler(originRequest(BUCKET_DOMAIN, '/%E0%A4%A/index.html'))) as CloudFrontResponse
    expect(out.status).toBe('404')
  })

  it("origin-response still serves the site's own 404 page for what S3 does not have", async () => {
    const routed = (await visit('bob.whimsy.space', '/gone.html')).out as CloudFrontRequest
    const out = (await handler(originResponse(routed.uri, 403))) as CloudFrontResponse
    expect(out.status).toBe('404')
    expect(out.body).toBe('Bob lost it')
  })
})
