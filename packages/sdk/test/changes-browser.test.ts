/**
 * The change feed in a real browser (issue 15): a page subscribes with the browser's own
 * WebSocket (the AppSync Events protocol, IAM-signed headers in the subprotocol), and a write
 * from another device of the same user (the Node SDK) arrives in the page.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import WebSocket from 'ws'
import { launchChromium } from '../../../test/browser.js'
import { type StaticServer, serveFiles } from '../../../test/static-server.js'
import { latestCode, PASSWORD } from '../../../test/users.js'
import { createWhimsy, memoryStorage, type WebSocketConstructor } from '../src/index.js'
import { uniqueName } from './sdk-users.js'

const cloud = inject('cloud')
let browser: Browser
let site: StaticServer

const PAGE = `<!doctype html><meta charset="utf-8"><title>changes</title>
<script src="/sdk.js"></script>
<script>
  // Polling far apart: what arrives, arrives through the socket.
  window.whimsy = Whimsy.createWhimsy(${JSON.stringify(cloud.config)}, { changes: { pollIntervalMs: 3600000 } })
</script>`

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser/entry.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  })
  site = await serveFiles({
    '/index.html': { type: 'text/html', body: PAGE },
    '/sdk.js': { type: 'text/javascript', body: bundle.outputFiles[0]?.contents ?? new Uint8Array() },
  })
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await site?.close()
})

describe('the change feed in Chromium', () => {
  it("a key-value write from another device arrives in the page through the browser's WebSocket", async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(site.url)
    const username = uniqueName('live')
    const who = `username: ${JSON.stringify(username)}`
    await page.evaluate(`whimsy.auth.signUp({ ${who}, email: '${username}@example.com', password: ${JSON.stringify(PASSWORD)} })`)
    const code = await latestCode(cloud, username)
    await page.evaluate(`(async () => {
      await whimsy.auth.confirmSignUp({ ${who}, code: '${code}' })
      await whimsy.auth.signIn({ ${who}, password: ${JSON.stringify(PASSWORD)} })
      const since = await whimsy.changes.head()
      window.live = new Promise((resolve) => {
        window.subscribed = whimsy.changes.subscribe((c) => resolve({ type: c.type, key: c.key, fromThisDevice: c.fromThisDevice }), { since })
      })
    })()`)
    const other = createWhimsy(cloud.config, { storage: memoryStorage(), changes: { WebSocket: WebSocket as unknown as WebSocketConstructor } })
    await other.auth.signIn({ username, password: PASSWORD })
    await other.kv.app('notes').set('from-node', 'hello')
    expect(await page.evaluate('window.live')).toEqual({ type: 'change', key: 'notes:from-node', fromThisDevice: false })
    expect(errors).toEqual([])
    await page.close()
  })

  it('tabs share one socket: the leader tab holds it, the others hear its rings; closing the leader hands it over', async () => {
    const context = await browser.newContext()
    // Counts the sockets each page opens (before the SDK captures the constructor).
    await context.addInitScript(`{
      const Native = WebSocket
      window.__sockets = 0
      window.WebSocket = class extends Native { constructor(...a) { super(...a); window.__sockets++ } }
    }`)
    const first = await context.newPage()
    await first.goto(site.url)
    const username = uniqueName('tabs')
    const who = `username: ${JSON.stringify(username)}`
    await first.evaluate(`whimsy.auth.signUp({ ${who}, email: '${username}@example.com', password: ${JSON.stringify(PASSWORD)} })`)
    const code = await latestCode(cloud, username)
    await first.evaluate(
      `(async () => { await whimsy.auth.confirmSignUp({ ${who}, code: '${code}' }); await whimsy.auth.signIn({ ${who}, password: ${JSON.stringify(PASSWORD)} }) })()`,
    )
    const second = await context.newPage()
    await second.goto(site.url)
    const listen = (key: string) => `(async () => {
      if (!whimsy.auth.user) await new Promise((r) => whimsy.auth.onChange(() => r()))
      const since = await whimsy.changes.head()
      window.got = window.got ?? {}
      window.got[${JSON.stringify(key)}] = new Promise((resolve) => {
        const stop = whimsy.changes.subscribe((c) => { if (c.key === ${JSON.stringify(`:${key}`)}) { stop(); resolve(c.fromThisDevice) } }, { since })
      })
      window.keep = window.keep ?? whimsy.changes.subscribe(() => {}, { since })
    })()`
    await first.evaluate(listen('one'))
    await second.evaluate(listen('one'))
    const other = createWhimsy(cloud.config, { storage: memoryStorage(), changes: { WebSocket: WebSocket as unknown as WebSocketConstructor } })
    await other.auth.signIn({ username, password: PASSWORD })
    await other.kv.set('one', 1)
    expect(await first.evaluate(`window.got.one`)).toBe(false)
    expect(await second.evaluate(`window.got.one`)).toBe(false)
    expect((await first.evaluate<number>('window.__sockets')) + (await second.evaluate<number>('window.__sockets'))).toBe(1)
    const leader = (await first.evaluate<number>('window.__sockets')) === 1 ? first : second
    const follower = leader === first ? second : first
    await leader.close()
    await follower.evaluate(listen('two'))
    await other.kv.set('two', 2)
    expect(await follower.evaluate(`window.got.two`)).toBe(false)
    expect(await follower.evaluate<number>('window.__sockets')).toBe(1)
    await context.close()
  })
})
