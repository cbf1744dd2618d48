/**
 * Publishing in Chromium: copy a page into /public, claim a handle (availability while typing,
 * the reason a handle is refused), open the site at http://<handle>.localhost:<port>/, copy a
 * public link, and edit the profile that visitors read from the site.
 */
import { randomUUID } from 'node:crypto'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { expectNoErrors, openApp, row, shot, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'site')
})
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase publishing and profile', () => {
  it('publishes a page, claims a handle, opens the site, and edits the profile', async () => {
    const app = await openApp(browser, cloud, { permissions: ['clipboard-read', 'clipboard-write'] })
    const { page } = app
    await signIn(page, user.username)
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'index.html', mimeType: 'text/html', buffer: Buffer.from('<h1>Welcome to my zine</h1>') }])
    await row(page, 'index.html').click()
    await page.keyboard.press('p')
    await page.getByRole('dialog', { name: 'Publish to your site' }).getByRole('button', { name: 'Copy to public' }).click()
    await row(page, 'public').waitFor()

    await page.getByRole('link', { name: 'My site' }).click()
    const handleInput = page.getByRole('textbox', { name: 'Handle' })
    const check = page.getByTestId('handle-check')
    await handleInput.fill('www')
    await expect.poll(() => check.textContent()).toMatch(/^www cannot be used: .+/)
    const handle = `zine-${randomUUID().slice(0, 6)}`
    await handleInput.fill(handle)
    await expect.poll(() => check.textContent()).toBe(`${handle} is available.`)
    await page.getByRole('button', { name: 'Claim handle' }).click()
    await page.getByText(`Your site is now ${handle}.`).waitFor()
    const open = page.getByRole('link', { name: 'Open my site' })
    const siteUrl = await open.getAttribute('href')
    expect(siteUrl).toBe(`http://${handle}.${cloud.config.sitesDomain}/`)
    await shot(page, 'site')
    const [visitor] = await Promise.all([page.context().waitForEvent('page'), open.click()])
    await visitor.getByRole('heading', { name: 'Welcome to my zine' }).waitFor()
    await visitor.close()

    // The public link of a published file.
    await page.getByRole('link', { name: 'Files' }).click()
    await row(page, 'public').dblclick()
    await row(page, 'index.html').click()
    await page.keyboard.press('l')
    const link = page.getByRole('dialog', { name: 'Public link' })
    expect(await link.getByRole('link').textContent()).toBe(`http://${handle}.${cloud.config.sitesDomain}/index.html`)
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`http://${handle}.${cloud.config.sitesDomain}/index.html`)
    await link.getByRole('button', { name: 'Done' }).click()

    // Profile, and the visitor's view of it.
    await page.getByRole('link', { name: 'Profile' }).click()
    await page.getByLabel('Display name').fill('Zine Maker')
    await page.getByLabel('Bio').fill('I make zines.')
    await page.getByRole('button', { name: 'Add a link' }).click()
    await page.getByLabel('Link 1 title').fill('Blog')
    await page.getByLabel('Link 1 address').fill('https://example.com/blog')
    await page.getByRole('article', { name: 'Your profile as visitors see it' }).getByRole('heading', { name: 'Zine Maker' }).waitFor()
    await page.getByRole('button', { name: 'Save profile' }).click()
    await expect.poll(() => page.getByRole('button', { name: 'Save profile' }).isEnabled()).toBe(true)
    await shot(page, 'profile')
    const visitorPage = await page.context().newPage()
    const res = await visitorPage.goto(`http://${handle}.${cloud.config.sitesDomain}/whimsy.space/profile.json`)
    expect(await res?.json()).toMatchObject({ displayName: 'Zine Maker', bio: 'I make zines.', links: [{ title: 'Blog', url: 'https://example.com/blog' }] })
    expectNoErrors(app)
    await page.context().close()
  })
})
