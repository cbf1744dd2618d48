/**
 * A file a plain page loads (issue 12): a page on another origin whose only code is one
 * `<script type="module">` importing the SDK from the local cloud's versioned URL signs in,
 * writes and reads a file — no bundler, no build step of the app's own.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { type StaticServer, serveFiles } from '../../../test/static-server.js'
import { createUser } from '../../../test/users.js'

const cloud = inject('cloud')
let browser: Browser
let site: StaticServer

interface PageResult {
  ok: boolean
  error?: string
  identityId?: string
  text?: string
}

/** The whole app: what a developer would paste into an HTML file. */
function page(username: string, password: string, sdkUrl: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Plain page</title>
<script type="module">
  import { createWhimsy } from '${sdkUrl}'
  try {
    const config = await (await fetch('${cloud.urls.config}')).json()
    const whimsy = createWhimsy(config)
    const user = await whimsy.auth.signIn({ username: ${JSON.stringify(username)}, password: ${JSON.stringify(password)} })
    await whimsy.fs.write('/plain/hello.txt', 'hello from a plain page')
    const text = await whimsy.fs.readText('/plain/hello.txt')
    window.report({ ok: true, identityId: user.identityId, text })
  } catch (e) {
    window.report({ ok: false, error: String(e && e.stack || e) })
  }
</script>`
}

beforeAll(async () => {
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await site?.close()
})

async function runPage(sdkUrl: string): Promise<{ result: PageResult; scripts: string[]; errors: string[] }> {
  const user = await createUser(cloud, 'plainpage')
  site = await serveFiles({ '/index.html': { type: 'text/html', body: page(user.username, user.password, sdkUrl) } })
  expect(new URL(site.url).origin).not.toBe(new URL(cloud.urls.api).origin)
  const tab = await browser.newPage()
  const errors: string[] = []
  const scripts: string[] = []
  tab.on('pageerror', (e) => errors.push(String(e)))
  tab.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.push(`${r.status()} ${r.url()}`)
  })
  const reported = new Promise<PageResult>((resolve) => {
    void tab.exposeFunction('report', (r: PageResult) => resolve(r))
  })
  await tab.goto(site.url)
  const result = await reported
  await tab.close()
  await site.close()
  expect(result.identityId ?? user.identityId).toBe(user.identityId)
  return { result, scripts, errors }
}

describe('the SDK as one ES module URL', () => {
  it('signs in, writes and reads a file from a page on another origin', async () => {
    const { result, scripts, errors } = await runPage(cloud.urls.sdk)
    expect(result).toMatchObject({ ok: true, text: 'hello from a plain page' })
    expect(errors).toEqual([])
    // Everything came from the versioned folder: the entry, then its chunks.
    const folder = cloud.urls.sdk.slice(0, cloud.urls.sdk.lastIndexOf('/') + 1)
    expect(scripts[0]).toBe(`200 ${cloud.urls.sdk}`)
    for (const s of scripts) expect(s.startsWith(`200 ${folder}`) || s.startsWith('304 ')).toBe(true)
  }, 60_000)

  it('works from the latest alias, whose chunks then come from the version it redirected to', async () => {
    const { result, scripts, errors } = await runPage(`${cloud.urls.api}/sdk/latest/whimsy.js`)
    expect(result).toMatchObject({ ok: true, text: 'hello from a plain page' })
    expect(errors).toEqual([])
    const folder = cloud.urls.sdk.slice(0, cloud.urls.sdk.lastIndexOf('/') + 1)
    expect(scripts.filter((s) => s.includes('/sdk/latest/'))).toEqual([`302 ${cloud.urls.api}/sdk/latest/whimsy.js`])
    expect(scripts).toContain(`200 ${cloud.urls.sdk}`)
    for (const s of scripts.filter((x) => x.includes('/chunk-'))) expect(s.startsWith(`200 ${folder}`) || s.startsWith('304 ')).toBe(true)
  }, 60_000)
})
