/**
 * The SDK in a real browser (issue 4): a plain page signs up, confirms with the code from the
 * local mailbox, signs in, reloads, and is still signed in — the session restored from
 * localStorage, no cookies involved.
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

const PAGE = `<!doctype html><meta charset="utf-8"><title>SDK test</title>
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
    minify: true,
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

/** A fresh page whose user has signed up (code from the local mailbox) and signed in. */
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

describe('the SDK in Chromium', () => {
  it('signs up, confirms, signs in, and is still signed in after a reload', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(site.url)
    const username = uniqueName('browser')
    await run(
      page,
      `await whimsy.auth.signUp({ username: ${JSON.stringify(username)}, email: '${username}@example.com', password: ${JSON.stringify(PASSWORD)} })`,
    )
    const code = await latestCode(cloud, username)
    const user = await run<{ username: string; identityId: string }>(
      page,
      `await whimsy.auth.confirmSignUp({ username: ${JSON.stringify(username)}, code: '${code}' })
       return whimsy.auth.signIn({ username: ${JSON.stringify(username)}, password: ${JSON.stringify(PASSWORD)} })`,
    )
    expect(user.username).toBe(username)
    expect(user.identityId).toMatch(/^us-east-1:/)

    await page.reload()
    const restored = await run<{ username: string; identityId: string } | null>(page, 'return whimsy.auth.ready')
    expect(restored).toMatchObject({ username, identityId: user.identityId })
    const accessKey = await run<string>(page, 'return (await Whimsy.sessionOf(whimsy.auth).credentials()).accessKeyId')
    expect(accessKey).toMatch(/^ASIA/)
    // The session lives in localStorage, never in cookies.
    expect(await page.context().cookies()).toEqual([])
    expect(await run<number>(page, 'return Object.keys(localStorage).filter((k) => k.includes("idToken")).length')).toBe(1)

    const wrong = await run<string>(
      page,
      `try { await whimsy.auth.signIn({ username: ${JSON.stringify(username)}, password: 'nope-nope-1' }) } catch (e) { return e.name + ':' + e.code }`,
    )
    expect(wrong).toBe('WhimsyError:NotAuthorized')
    expect(errors).toEqual([])
    await page.close()
  })

  it('writes, lists, uploads in parts with progress and reads back files from the page', async () => {
    const page = await signedInPage('browserfs')
    const result = await run<{
      text: string
      names: string[]
      size: number
      same: boolean
      events: number
      last: { loaded: number; total: number }
      etag: string
    }>(
      page,
      `const written = await whimsy.fs.write('/notes/hello.txt', 'hello from the page')
       const text = await whimsy.fs.readText('/notes/hello.txt')
       const bytes = new Uint8Array(20 * 1024 * 1024)
       for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) % 251
       const file = new File([bytes], 'big.bin', { lastModified: 1 })
       const progress = []
       await whimsy.fs.upload('/big.bin', file, { partSize: 5 * 1024 * 1024, onProgress: (p) => progress.push(p) })
       const back = await whimsy.fs.read('/big.bin')
       let same = back.length === bytes.length
       for (let i = 0; same && i < bytes.length; i += 4096) same = back[i] === bytes[i]
       const names = []
       for await (const entry of whimsy.fs.list('/')) names.push(entry.name)
       return { text, names, size: back.length, same, events: progress.length, last: progress.at(-1), etag: written.etag }`,
    )
    expect(result.text).toBe('hello from the page')
    expect(result.etag).toMatch(/^"[0-9a-f]{32}"$/) // ETag is exposed to the page by CORS
    expect(result.names).toEqual(['notes', 'big.bin'])
    expect(result).toMatchObject({ size: 20 * 1024 * 1024, same: true, events: 5, last: { loaded: 20 * 1024 * 1024, total: 20 * 1024 * 1024 } })
    await page.close()
  }, 60_000)

  it('keeps key-value data and a public profile from the page', async () => {
    const page = await signedInPage('browserkv')
    const result = await run<{ theme: unknown; visits: unknown; profile: unknown }>(
      page,
      `await whimsy.kv.set('settings/theme', { dark: true })
       await whimsy.kv.update('stats', { add: { visits: 2 } })
       await whimsy.profile.set({ displayName: 'Page Person' })
       return { theme: await whimsy.kv.get('settings/theme'), visits: (await whimsy.kv.get('stats')).visits, profile: await whimsy.profile.get() }`,
    )
    expect(result).toEqual({ theme: { dark: true }, visits: 2, profile: { displayName: 'Page Person' } })
    await page.close()
  })
})
