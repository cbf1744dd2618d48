/**
 * The local cloud's own doors (issue 11, finding 5): which Host names it answers, how
 * `/_whimsy/…` paths are read, and that its state changes only by POST.
 */
import { describe, expect, inject, it } from 'vitest'
import { rawRequest } from './raw-http.js'

const cloud = inject('cloud')
const port = (origin: string) => new URL(origin).port

describe('local endpoints', () => {
  it('Regression (issue 11, finding 5): answers only loopback Host names, on the API, app and sites ports', async () => {
    const ports = { api: cloud.urls.api, app: cloud.urls.app, sites: cloud.urls.sites }
    for (const [name, origin] of Object.entries(ports)) {
      for (const host of [`evil.example:${port(origin)}`, 'evil.example', `127.0.0.1.evil.example:${port(origin)}`, `user@127.0.0.1:${port(origin)}`]) {
        const r = await rawRequest(origin, { path: name === 'api' ? '/_whimsy/config.json' : '/', headers: { host } })
        expect(r.status, `${name} ${host}`).toBe(421)
        expect(r.text).toMatch(/Misdirected/)
        expect(r.headers['access-control-allow-origin']).toBeUndefined()
      }
    }
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const api = await rawRequest(cloud.urls.api, { path: '/_whimsy/health', headers: { host: `${host}:${port(cloud.urls.api)}` } })
      expect(api.status, host).toBe(200)
      const app = await rawRequest(cloud.urls.app, { path: '/', headers: { host: `${host}:${port(cloud.urls.app)}` } })
      expect(app.status, host).toBe(200)
    }
    // The API is no user site: `<handle>.localhost` is for the sites port only.
    expect((await rawRequest(cloud.urls.api, { path: '/_whimsy/health', headers: { host: `alice.localhost:${port(cloud.urls.api)}` } })).status).toBe(421)
    for (const host of [`alice.localhost:${port(cloud.urls.sites)}`, `localhost:${port(cloud.urls.sites)}`, `127.0.0.1:${port(cloud.urls.sites)}`]) {
      const site = await rawRequest(cloud.urls.sites, { path: '/', headers: { host } })
      expect(site.status, host).not.toBe(421)
    }
  })

  it('Regression (issue 11, finding 5): no spelling of the mailbox path reaches it with CORS', async () => {
    const origin = 'http://evil.localhost:4302'
    const spellings = [
      '/_whimsy/mailbox',
      '/_whimsy/./mailbox',
      '/_whimsy//mailbox',
      '/_whimsy/%6dailbox',
      '/%5Fwhimsy/mailbox',
      '/%5fwhimsy/mailbox',
      '/_whimsy/x/../mailbox',
      '/_whimsy/%2e/mailbox',
      '/_whimsy/x/%2e%2e/mailbox',
      '/_whimsy%2fmailbox',
      '//_whimsy/mailbox',
      '/./_whimsy/mailbox',
      `/${cloud.config.bucket}/../_whimsy/mailbox`,
      '/_whimsy/mailbox/',
      '/_whimsy/mailbox/.',
      '/_whimsy/mailbox?username=x',
    ]
    let reached = 0
    for (const path of spellings)
      for (const method of ['GET', 'OPTIONS']) {
        const r = await rawRequest(cloud.urls.api, { path, method, headers: { origin, 'access-control-request-method': 'GET' } })
        expect(r.headers['access-control-allow-origin'], `${method} ${path}`).toBeUndefined()
        if (r.text.includes('"messages"')) reached++
        else expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(method === 'OPTIONS' ? 204 : 400)
      }
    // The clean spellings do reach it (without CORS), so the checks above saw real answers.
    expect(reached).toBeGreaterThanOrEqual(3)
    // The configuration, which the SDK reads cross-origin, keeps its CORS.
    const config = await rawRequest(cloud.urls.api, { path: '/_whimsy/config.json', headers: { origin } })
    expect(config.headers['access-control-allow-origin']).toBe(origin)
  })

  it('Regression (issue 11, finding 5): local state changes only by POST', async () => {
    const path = '/_whimsy/mailbox/expire?username=nobody'
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
      const r = await rawRequest(cloud.urls.api, { path, method })
      expect(r.status, method).toBe(405)
      expect(r.headers.allow).toBe('POST')
    }
    const post = await rawRequest(cloud.urls.api, { path, method: 'POST' })
    expect([post.status, JSON.parse(post.text)]).toEqual([200, { expired: 0 }])
    // The read-only endpoints refuse writes the same way.
    expect((await rawRequest(cloud.urls.api, { path: '/_whimsy/mailbox', method: 'POST' })).status).toBe(405)
  })
})
