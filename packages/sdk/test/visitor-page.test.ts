/**
 * A signed-out visitor's page loads only what it uses (issue 16's Profile card, seen by a
 * visitor): a plain page that imports the browser build and shows someone's public profile by
 * handle — `profile.get(handle)`, `profile.avatarUrl`, `sites.url` — downloads the entry and the
 * public-profile chunk, and none of the sign-in code, S3 or DynamoDB code, or the files and
 * key-value nouns. Chromium records every script the page requests; the build's own record of
 * which sources each file holds (`dist/browser-inputs.json`) says what they were.
 */
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { type StaticServer, serveFiles } from '../../../test/static-server.js'
import { BROWSER_INPUTS, ensureBrowserBuild } from '../scripts/browser-build.js'
import { signedInWhimsy, uniqueName } from './sdk-users.js'

const cloud = inject('cloud')
let browser: Browser
let site: StaticServer | undefined

beforeAll(async () => {
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await site?.close()
})

interface Card {
  ok: boolean
  error?: string
  displayName?: string
  avatar?: string | null
  home?: string
}

/** The visitor's view of the Profile card, reduced to its SDK calls. */
function page(handle: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Visitor</title>
<script type="module">
  import { createWhimsy } from '${cloud.urls.sdk}'
  try {
    const whimsy = createWhimsy(await (await fetch('${cloud.urls.config}')).json())
    const profile = await whimsy.profile.get(${JSON.stringify(handle)})
    window.report({ ok: true, displayName: profile?.displayName, avatar: whimsy.profile.avatarUrl(profile, ${JSON.stringify(handle)}), home: whimsy.sites.url('/', ${JSON.stringify(handle)}) })
  } catch (e) {
    window.report({ ok: false, error: String(e && e.stack || e) })
  }
</script>`
}

describe("a signed-out visitor's page", () => {
  it('loads the entry and the public-profile chunk only: no sign-in, S3, DynamoDB, files or key-value code', async () => {
    const { whimsy } = await signedInWhimsy(cloud, 'visited')
    const handle = uniqueName('card')
    await whimsy.sites.claimHandle(handle)
    await whimsy.profile.set({ displayName: 'Visited', avatar: '/public/me.png' })

    site = await serveFiles({ '/index.html': { type: 'text/html', body: page(handle) } })
    const tab = await browser.newPage()
    const scripts: string[] = []
    const problems: string[] = []
    tab.on('pageerror', (e) => problems.push(String(e)))
    tab.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`))
    tab.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url())
    })
    const reported = new Promise<Card>((resolve) => {
      void tab.exposeFunction('report', (card: Card) => resolve(card))
    })
    await tab.goto(site.url)
    const card = await reported
    await tab.close()
    expect(problems).toEqual([])

    const sitesOrigin = `${cloud.config.sitesProtocol ?? 'https'}://${handle}.${cloud.config.sitesDomain}`
    expect(card).toEqual({ ok: true, displayName: 'Visited', avatar: `${sitesOrigin}/me.png`, home: `${sitesOrigin}/` })

    const build = await ensureBrowserBuild()
    const inputs = JSON.parse(readFileSync(BROWSER_INPUTS, 'utf8')) as Record<string, string[]>
    const folder = cloud.urls.sdk.slice(0, cloud.urls.sdk.lastIndexOf('/') + 1)
    const loaded = scripts.map((url) => {
      expect(url.startsWith(folder), url).toBe(true)
      return url.slice(folder.length)
    })
    const sources = loaded.flatMap((file) => inputs[file] ?? [`(not in the build: ${file})`])
    expect(sources).toContain('packages/sdk/src/profile/public-profile.ts')
    const unwanted = sources.filter((s) =>
      /node_modules\/(@aws-sdk|@smithy|@aws-crypto|aws4fetch)\/|packages\/sdk\/src\/(auth\/(auth|session|sign-in|srp|cognito-api|credentials)|fs\/(fs|writes|reads|listing|folders|sharing|targets|requests|multipart-upload|stream-upload|bodies|xml-keys)|kv\/kv|profile\/profile|s3-client|transport\/(dynamodb|s3\/[a-z]+))\.ts$/.test(
        s,
      ),
    )
    expect(unwanted).toEqual([])
    const gzip = loaded.reduce((sum, file) => sum + gzipSync(readFileSync(`${build.dir}/${file}`), { level: 9 }).length, 0)
    console.log(`[visitor-page] ${loaded.length} scripts, ${gzip} B gzip: ${loaded.join(', ')}`)
  }, 90_000)
})
