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
})
