/**
 * Issue 16: a small file (one PutObject, under the multipart threshold) reports progress as its
 * bytes leave the page, not only at the start and the end: in browsers the SDK sends it with
 * XMLHttpRequest. Chromium's own network throttling (DevTools protocol) slows the upload to a
 * known rate, so the events in between are there to see without any timer in the test.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { type StaticServer, serveFiles } from '../../../test/static-server.js'
import { latestCode, PASSWORD } from '../../../test/users.js'
import { uniqueName } from './sdk-users.js'

const cloud = inject('cloud')
let browser: Browser
let site: StaticServer

const PAGE = `<!doctype html><meta charset="utf-8"><title>SDK upload progress</title>
<script src="/sdk.js"></script>
<script>
  window.whimsy = Whimsy.createWhimsy(${JSON.stringify(cloud.config)})
</script>`

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser/entry.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  const js = bundle.outputFiles[0]?.contents ?? new Uint8Array()
  site = await serveFiles({ '/index.html': { type: 'text/html', body: PAGE }, '/sdk.js': { type: 'text/javascript', body: js } })
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await site?.close()
})

async function run<T>(page: Page, script: string): Promise<T> {
  return page.evaluate(`(async () => { ${script} })()`) as Promise<T>
}

async function signedInPage(prefix: string): Promise<Page> {
  const page = await browser.newPage()
  await page.goto(site.url)
  const username = uniqueName(prefix)
  const who = `username: ${JSON.stringify(username)}`
  await run(page, `await whimsy.auth.signUp({ ${who}, email: '${username}@example.com', password: ${JSON.stringify(PASSWORD)} })`)
  const code = await latestCode(cloud, username)
  await run(page, `await whimsy.auth.confirmSignUp({ ${who}, code: '${code}' }); await whimsy.auth.signIn({ ${who}, password: ${JSON.stringify(PASSWORD)} })`)
  return page
}

/** Uploads from this page leave at about `bytesPerSecond`. */
async function throttleUploads(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond })
}

const SIZE = 1024 * 1024

describe('Issue 16: upload progress of a small file in Chromium', () => {
  it('fs.write of 1 MiB reports bytes as they are sent, then the whole size; the file reads back', async () => {
    const page = await signedInPage('progress')
    await throttleUploads(page, 512 * 1024)
    const result = await run<{ loaded: number[]; total: number[]; back: number; etag: string }>(
      page,
      `const bytes = new Uint8Array(${SIZE}).fill(42)
       const events = []
       const written = await whimsy.fs.write('/progress.bin', bytes, { onProgress: (p) => events.push(p) })
       const back = (await whimsy.fs.read('/progress.bin')).length
       return { loaded: events.map((e) => e.loaded), total: events.map((e) => e.total), back, etag: written.etag }`,
    )
    expect(result.back).toBe(SIZE)
    expect(result.etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(new Set(result.total)).toEqual(new Set([SIZE]))
    expect(result.loaded[0]).toBe(0)
    expect(result.loaded.at(-1)).toBe(SIZE)
    expect(result.loaded.filter((n) => n > 0 && n < SIZE).length).toBeGreaterThan(0) // between the start and the end
    expect(result.loaded).toEqual([...result.loaded].sort((a, b) => a - b)) // never goes back
    await page.close()
  }, 60_000)

  it('aborting the signal mid-upload ends the request: Aborted, and no file', async () => {
    const page = await signedInPage('progressabort')
    await throttleUploads(page, 256 * 1024)
    const result = await run<{ code: string; exists: boolean; loadedAtAbort: number }>(
      page,
      `const stop = new AbortController()
       let loadedAtAbort = -1
       const error = await whimsy.fs.write('/aborted.bin', new Uint8Array(${SIZE}), {
         signal: stop.signal,
         onProgress: (p) => { if (p.loaded > 0 && p.loaded < p.total && loadedAtAbort < 0) { loadedAtAbort = p.loaded; stop.abort() } },
       }).catch((e) => e)
       return { code: error.code, exists: await whimsy.fs.exists('/aborted.bin'), loadedAtAbort }`,
    )
    expect(result.loadedAtAbort).toBeGreaterThan(0)
    expect(result).toMatchObject({ code: 'Aborted', exists: false })
    await page.close()
  }, 60_000)
})
