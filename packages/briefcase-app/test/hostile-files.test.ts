/**
 * A user's files are hostile. An uploaded HTML page and an SVG that try to read and write the
 * app's localStorage (where the session lives) cannot: HTML previews in an iframe sandboxed
 * without scripts or same-origin, SVG as an <img>, Markdown sanitised, names shown as text,
 * and the app's CSP refuses inline script.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { openApp, row, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser

const STEAL = "try{localStorage.setItem('pwned', Object.keys(localStorage).join());parent.document.title='pwned'}catch(e){}"
const HTML = `<!doctype html><h1>Hello</h1><script>${STEAL}</script><img src="x" onerror="${STEAL.replace(/"/g, '&quot;')}">`
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="${STEAL.replace(/"/g, '&quot;')}"><script>${STEAL}</script><rect width="10" height="10"/></svg>`
const MD = `# Notes\n\n<script>${STEAL}</script>\n\n<img src="x" onerror="${STEAL.replace(/"/g, '&quot;')}">\n\n[click](javascript:alert(1))\n`
const NAME = '<img src=x onerror=alert(1)>.txt'

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'hostile')
})
afterAll(async () => {
  await browser?.close()
})

describe('hostile files in the Briefcase', () => {
  it('serves the app with a strict Content-Security-Policy', async () => {
    const res = await fetch(cloud.urls.app)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/)
  })

  it('previews HTML, SVG and Markdown that try to read localStorage without letting them', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await signIn(page, user.username)
    const title = await page.title()
    await page.getByLabel('Choose files to upload').setInputFiles([
      { name: 'evil.html', mimeType: 'text/html', buffer: Buffer.from(HTML) },
      { name: 'evil.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(SVG) },
      { name: 'evil.md', mimeType: 'text/markdown', buffer: Buffer.from(MD) },
      { name: NAME, mimeType: 'text/plain', buffer: Buffer.from('x') },
    ])
    await page.getByRole('complementary', { name: 'Uploads' }).getByText('4 of 4 uploaded').waitFor()

    // The file name is text, not markup.
    await row(page, NAME).waitFor()
    expect(await row(page, NAME).locator('.name').textContent()).toBe(NAME)
    expect(await row(page, NAME).locator('img').count()).toBe(0)

    await row(page, 'evil.html').dblclick()
    const frame = page.getByRole('dialog', { name: 'evil.html' }).locator('iframe')
    await frame.waitFor()
    expect(await frame.getAttribute('sandbox')).toBe('')
    // An opaque origin: the app cannot reach into the frame, nor the frame into the app.
    expect(await frame.evaluate((f) => (f as HTMLIFrameElement).contentDocument === null)).toBe(true)
    await page.keyboard.press('Escape')

    await row(page, 'evil.svg').dblclick()
    const img = page.getByRole('dialog', { name: 'evil.svg' }).getByRole('img', { name: 'evil.svg' })
    await img.waitFor()
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBe(10)
    await page.keyboard.press('Escape')

    await row(page, 'evil.md').dblclick()
    const md = page.getByRole('dialog', { name: 'evil.md' }).locator('.markdown')
    await md.getByRole('heading', { name: 'Notes' }).waitFor()
    expect(await md.locator('script').count()).toBe(0)
    expect(await md.locator('[onerror]').count()).toBe(0)
    expect(await md.locator('a[href^="javascript:"]').count()).toBe(0)
    await page.keyboard.press('Escape')

    // Let any image error handlers fire, then look: nothing ran in the app's origin.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
    expect(await page.evaluate(() => localStorage.getItem('pwned'))).toBeNull()
    expect(await page.title()).toBe(title)
    await page.context().close()
  })
})
