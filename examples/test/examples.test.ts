/**
 * Each example's flow in Chromium, on the examples' own origin against a local cloud (issue 16):
 * Hello signs up and publishes a file, Notes is edited in two tabs, Paint's gallery and the
 * profile card are opened by a visitor who never signed in.
 */
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../test/browser.js'
import { type ExamplesFixture, newUser, openTab, pageErrors, signInThroughPage, signUpThroughPage, startExamples } from './fixture.js'

let fixture: ExamplesFixture
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  ;[fixture, browser] = await Promise.all([startExamples(), launchChromium()])
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await fixture?.stop()
})

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()))
  expect(pageErrors.splice(0)).toEqual([])
})

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext()
  contexts.push(context)
  return context
}

describe('the examples origin', () => {
  it('is not the app, the API or the sites origin, and serves only the apps', async () => {
    const origin = new URL(fixture.site.url).origin
    expect([fixture.cloud.urls.app, fixture.cloud.urls.api, fixture.cloud.urls.sites].map((u) => new URL(u).origin)).not.toContain(origin)
    const start = await fetch(`${fixture.site.url}/`)
    expect(await start.text()).toContain('/notes/')
    for (const path of ['/server.ts', '/test/fixture.ts', '/package.json', '/shared/../server.ts', '/shared/%2e%2e/server.ts', '/hello/README.md'])
      expect((await fetch(`${fixture.site.url}${path}`)).status, path).toBe(404)
    expect(await (await fetch(`${fixture.site.url}/whimsy-env.js`)).text()).toContain(fixture.cloud.urls.config)
  })
})

describe('Hello', () => {
  it('signs up with the mailed code, writes a file, reads it back and shows its public URL', async () => {
    const tab = await openTab(await newContext(), `${fixture.site.url}/hello/`)
    const username = `hello-${crypto.randomUUID().slice(0, 8)}`
    await signUpThroughPage(fixture, tab, username)
    await tab.fill('#message', 'Hello from the example')
    await tab.click('#write-button')
    await tab.locator('#read-back', { hasText: 'Hello from the example' }).waitFor()
    const url = await tab.getAttribute('#public-url', 'href')
    expect(url).toBeTruthy()
    // Anyone can read it there: no credentials.
    expect(await (await fetch(url as string)).text()).toBe('Hello from the example')
  }, 60_000)
})

describe('Notes', () => {
  it('offers the second of two tabs a merge instead of losing the first tab’s save, and shows the change in the first', async () => {
    const username = await newUser(fixture, 'notes')
    const context = await newContext()
    const first = await openTab(context, `${fixture.site.url}/notes/`)
    await signInThroughPage(first, username)
    await first.click('#new-note')
    await first.fill('#title', 'Groceries')
    await first.fill('#body', 'milk')
    await first.click('#save')
    await first.locator('#saved', { hasText: 'Saved.' }).waitFor()
    const hash = new URL(first.url()).hash

    // The second tab shares the origin's session: no sign-in, the note opens from its link.
    const second = await openTab(context, `${fixture.site.url}/notes/${hash}`)
    await second.locator('#editor').waitFor()
    expect(await second.inputValue('#body')).toBe('milk') // filled before the editor is shown

    await first.fill('#body', 'milk\neggs')
    await first.click('#save')
    await first.locator('#saved', { hasText: 'Saved.' }).waitFor()

    await second.fill('#body', 'milk\nbread')
    await second.click('#save')
    await second.locator('#conflict').waitFor()
    expect(await second.inputValue('#theirs')).toContain('eggs')
    await second.click('#merge')
    const merged = await second.inputValue('#body')
    expect(merged).toContain('bread')
    expect(merged).toContain('eggs')
    await second.click('#save')
    await second.locator('#saved', { hasText: 'Saved.' }).waitFor()

    // The first tab learns of it when it regains focus (or from the live feed, once there is one).
    await first.evaluate(() => window.dispatchEvent(new Event('focus')))
    await first.locator('#stale').waitFor()
    expect(await first.getAttribute(`li[data-key="${hash.slice(1)}"]`, 'class')).toContain('changed')
    await first.click('#reload-note')
    expect(await first.inputValue('#body')).toBe(merged)

    // Nothing lived only in a tab: a reload shows the merged note.
    await second.reload()
    await second.locator('#editor').waitFor()
    expect(await second.inputValue('#body')).toBe(merged)
  }, 90_000)
})
