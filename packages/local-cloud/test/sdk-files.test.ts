/**
 * The SDK's browser build on the API port (issue 12): versioned URL, `latest` alias, caching
 * and CORS. The plain page that imports it is packages/sdk/test/browser-module.test.ts.
 */
import { describe, expect, inject, it } from 'vitest'
import { rawRequest } from './raw-http.js'

const cloud = inject('cloud')
const entryPath = new URL(cloud.urls.sdk).pathname
const version = entryPath.split('/')[2] ?? ''

describe('the SDK at /sdk/<version>/', () => {
  it('serves the entry as JavaScript to any origin, revalidated by ETag', async () => {
    expect(entryPath).toMatch(/^\/sdk\/\d+\.\d+\.\d+[^/]*\/whimsy\.js$/)
    const r = await rawRequest(cloud.urls.api, { path: entryPath, headers: { origin: 'http://elsewhere.example' } })
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(r.headers['access-control-allow-origin']).toBe('*')
    expect(r.headers['cache-control']).toBe('no-cache')
    expect(r.text).toMatch(/export\s*\{/)
    const again = await rawRequest(cloud.urls.api, { path: entryPath, headers: { 'if-none-match': String(r.headers.etag) } })
    expect(again.status).toBe(304)
  })

  it('serves content-named chunks as immutable', async () => {
    const entry = await rawRequest(cloud.urls.api, { path: entryPath })
    const chunk = /["'](\.\/chunk-[A-Z0-9]+\.js)["']/.exec(entry.text)?.[1]
    expect(chunk).toBeDefined()
    const r = await rawRequest(cloud.urls.api, { path: `/sdk/${version}/${chunk?.slice(2)}` })
    expect(r.status).toBe(200)
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it('redirects latest to the current version, uncached', async () => {
    const r = await rawRequest(cloud.urls.api, { path: '/sdk/latest/whimsy.js' })
    expect(r.status).toBe(302)
    expect(r.headers.location).toBe(entryPath)
    expect(r.headers['cache-control']).toBe('no-cache')
  })

  it.each([
    ['/sdk/0.0.0-nope/whimsy.js', 404],
    [`/sdk/${version}/nope.js`, 404],
    [`/sdk/${version}/../${version}/whimsy.js`, 404],
    [`/sdk/${version}/%2e%2e/whimsy.js`, 404],
    [`/sdk/${version}/whimsy.js/x`, 404],
    ['/sdk/latest/build.json', 404],
  ])('answers %s with %i', async (path, status) => {
    expect((await rawRequest(cloud.urls.api, { path })).status).toBe(status)
  })

  it('only reads: writes are 405, preflights 204', async () => {
    const put = await rawRequest(cloud.urls.api, { path: entryPath, method: 'PUT', body: 'x' })
    expect(put.status).toBe(405)
    expect(put.headers.allow).toBe('GET, HEAD')
    const pre = await rawRequest(cloud.urls.api, {
      path: entryPath,
      method: 'OPTIONS',
      headers: { origin: 'http://elsewhere.example', 'access-control-request-method': 'GET' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers['access-control-allow-origin']).toBe('*')
  })

  it('still answers only loopback Host names', async () => {
    const r = await rawRequest(cloud.urls.api, { path: entryPath, headers: { host: 'evil.example' } })
    expect(r.status).toBe(421)
  })
})
