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
    const accessKey = await run<string>(page, 'return (await whimsy.auth.credentials()).accessKeyId')
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
})
