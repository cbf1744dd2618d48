/**
 * Inline rename and folder zips in Chromium: F2 edits the name in its row (Escape cancels, a
 * taken name is refused in place, Enter commits), and "Download" on a folder saves one zip that
 * holds every file below it, with progress on the operation line.
 */
import { readFileSync } from 'node:fs'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { unzipSync } from 'fflate'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { expectNoErrors, openApp, row, shot, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser

async function put(path: string, body: string | Uint8Array): Promise<void> {
  await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}${path}`, Body: body }))
}

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'organise')
  await put('/memo.txt', 'memo')
  await put('/taken.txt', 'taken')
  await put('/Album/one.txt', 'first file')
  await put('/Album/deeper/two.txt', 'second file')
  // Bytes of every value, so a zip that mangled binary content would not match.
  await put(
    '/Album/deeper/bytes.bin',
    Uint8Array.from({ length: 70_000 }, (_, i) => i % 256),
  )
})
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase organising', () => {
  it('renames in the row with F2: Escape cancels, a taken name is refused there, Enter commits', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await signIn(page, user.username)
    await row(page, 'memo.txt').click()
    await page.keyboard.press('F2')
    const field = row(page, 'memo.txt').getByLabel('New name')
    await field.waitFor()
    // No dialog: the name is edited where it is, its extension kept out of the selection.
    expect(await page.getByRole('dialog').count()).toBe(0)
    expect(await field.evaluate((el: HTMLInputElement) => el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0))).toBe('memo')
    await page.keyboard.type('ignored')
    await page.keyboard.press('Escape')
    await expect.poll(() => field.count()).toBe(0)
    expect(await row(page, 'memo.txt').count()).toBe(1)
    expect(await row(page, 'ignoredtxt').count()).toBe(0)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid')

    await page.keyboard.press('F2')
    await field.fill('taken.txt')
    await page.keyboard.press('Enter')
    await row(page, 'memo.txt').getByRole('alert').getByText('taken.txt already exists').waitFor()
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    await shot(page, 'rename-inline')
    await field.fill('plans.txt')
    await page.keyboard.press('Enter')
    await row(page, 'plans.txt').waitFor()
    expect(await row(page, 'memo.txt').count()).toBe(0)

    // The context menu's Rename edits in the row as well.
    await row(page, 'plans.txt').click({ button: 'right' })
    await page
      .getByRole('menu', { name: 'Actions' })
      .getByRole('menuitem', { name: /Rename/ })
      .click()
    const again = row(page, 'plans.txt').getByLabel('New name')
    await expect.poll(() => again.evaluate((el) => el === document.activeElement)).toBe(true)
    await again.fill('plans-2.txt')
    await page.keyboard.press('Enter')
    await row(page, 'plans-2.txt').waitFor()
    expectNoErrors(app)
    await page.context().close()
  })

  it('downloads a folder as a zip holding its files', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await signIn(page, user.username)
    await row(page, 'Album').click({ button: 'right' })
    const saved = page.waitForEvent('download')
    await page
      .getByRole('menu', { name: 'Actions' })
      .getByRole('menuitem', { name: /Download/ })
      .click()
    const download = await saved
    expect(download.suggestedFilename()).toBe('Album.zip')
    const files = unzipSync(new Uint8Array(readFileSync(await download.path())))
    const text = (name: string) => new TextDecoder().decode(files[name])
    expect(Object.keys(files).sort()).toEqual(['Album/deeper/bytes.bin', 'Album/deeper/two.txt', 'Album/one.txt'])
    expect(text('Album/one.txt')).toBe('first file')
    expect(text('Album/deeper/two.txt')).toBe('second file')
    expect(files['Album/deeper/bytes.bin']).toEqual(Uint8Array.from({ length: 70_000 }, (_, i) => i % 256))
    // The operation line said how far it got, then went away.
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Zipping Album' }).count()).toBe(0)
    expectNoErrors(app)
    await page.context().close()
  })
})
