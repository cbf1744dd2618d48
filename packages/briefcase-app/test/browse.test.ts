/**
 * Browsing in Chromium: a 2,000-file folder keeps the DOM bounded (windowed rows), sorts and
 * filters over the whole folder, and the URL follows the folder (back, forward, reload).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { expectNoErrors, openApp, row, shot, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser
const FILES = 2000

async function put(key: string, body: string): Promise<void> {
  await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/${key}`, Body: body }))
}

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'browse')
  const names = Array.from({ length: FILES }, (_, i) => `big/file-${String(i).padStart(4, '0')}.txt`)
  // Sizes run against the names, so sorting by size reverses the order by name.
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n, j) => put(n, 'x'.repeat(FILES - (i + j)))))
  await put('docs/readme.md', '# Hello')
  await put('notes.txt', 'hi')
}, 120_000)
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase browsing', () => {
  it('keeps a 2,000-file folder bounded in the DOM, sorts and filters the whole folder', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await signIn(page, user.username)
    await row(page, 'docs').waitFor()
    await shot(page, 'files')
    await row(page, 'big').dblclick()
    await page.getByText(`${FILES.toLocaleString('en-US')} items`).waitFor()
    expect(page.url()).toMatch(/#\/files\/big$/)
    expect(await page.getByRole('grid').getAttribute('aria-rowcount')).toBe(String(FILES + 1))
    const bounded = async () => page.locator('.file-row').count()
    expect(await bounded()).toBeLessThan(80)
    // Scroll to the end: the last rows render, the DOM stays small.
    await page.locator('.scroller').evaluate((el) => {
      el.scrollTop = el.scrollHeight
    })
    await row(page, 'file-1999.txt').waitFor()
    expect(await bounded()).toBeLessThan(80)
    // Sort by size (the whole folder): the smallest file is the last by name.
    await page.getByRole('button', { name: 'Size' }).click()
    await page.locator('.scroller').evaluate((el) => {
      el.scrollTop = 0
    })
    await expect.poll(() => page.locator('#row-0 .name').textContent()).toBe('file-1999.txt')
    await page.getByRole('button', { name: /Size/ }).click()
    await expect.poll(() => page.locator('#row-0 .name').textContent()).toBe('file-0000.txt')
    expect(await page.getByRole('columnheader', { name: /Size/ }).getAttribute('aria-sort')).toBe('descending')
    // Filter as you type, over all 2,000 names (not a page of them).
    await page.getByLabel('Filter by name').fill('file-19')
    await page.getByText('100 of 2,000 items').waitFor()
    await page.getByLabel('Filter by name').fill('')
    expectNoErrors(app)
    await page.context().close()
  })

  it('follows folders in the URL: breadcrumbs, back, forward, reload', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await signIn(page, user.username)
    await row(page, 'docs').dblclick()
    await row(page, 'readme.md').waitFor()
    const crumbs = page.getByRole('navigation', { name: 'Folder path' })
    expect(await crumbs.textContent()).toContain('docs')
    await page.reload()
    await row(page, 'readme.md').waitFor()
    await page.goBack()
    await row(page, 'notes.txt').waitFor()
    await page.goForward()
    await row(page, 'readme.md').waitFor()
    await crumbs.getByRole('link', { name: 'My Briefcase' }).click()
    await row(page, 'big').waitFor()
    // Keyboard: arrows move, Enter opens a folder, Backspace goes up.
    await page.getByRole('grid').focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Home')
    await page.keyboard.press('Enter')
    await page.waitForURL(/#\/files\/big$/)
    await page.keyboard.press('Backspace')
    await page.waitForURL(/#\/files$/)
    expectNoErrors(app)
    await page.context().close()
  })
})
