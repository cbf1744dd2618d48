/**
 * Organising files in Chromium: new folder, upload by the file picker and by drag and drop (with
 * a name conflict asked before any bytes go), the tray's progress, rename with F2, move by
 * dragging onto a folder, copy with "Copy to…", preview an image, edit a text file and meet a
 * Conflict (both versions kept), delete a folder after a confirmation that counts its files.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { expectNoErrors, openApp, row, shot, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

async function read(path: string): Promise<string> {
  const res = await user.s3.send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}${path}` }))
  return (await res.Body?.transformToString()) ?? ''
}

/** Drops files on the folder view the way a desktop drop arrives: a DataTransfer holding Files. */
async function drop(page: Page, files: { name: string; text: string }[], target = '.files'): Promise<void> {
  await page.evaluate(
    ({ files, target }) => {
      const dt = new DataTransfer()
      for (const f of files) dt.items.add(new File([f.text], f.name, { type: 'text/plain' }))
      const el = document.querySelector(target) as HTMLElement
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
    },
    { files, target },
  )
}

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'files')
})
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase files', () => {
  it('creates, uploads, renames, moves, copies, previews, edits with a conflict and deletes', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await signIn(page, user.username)

    await page.getByRole('button', { name: 'New folder' }).click()
    await page.getByLabel('Folder name').fill('Trips')
    await page.getByRole('button', { name: 'Create' }).click()
    await row(page, 'Trips').waitFor()

    // The file picker.
    await page.getByLabel('Choose files to upload').setInputFiles([
      { name: 'cat.png', mimeType: 'image/png', buffer: PNG },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('first draft') },
    ])
    await row(page, 'cat.png').waitFor()
    await row(page, 'notes.txt').waitFor()
    const tray = page.getByRole('complementary', { name: 'Uploads' })
    await tray.getByText('2 of 2 uploaded').waitFor()
    expect(await tray.locator('progress').first().getAttribute('aria-label')).toMatch(/cat\.png: .* of /)

    // Drag and drop; a name that exists is asked about before anything is sent.
    await drop(page, [{ name: 'drop.txt', text: 'dropped' }])
    await row(page, 'drop.txt').waitFor()
    await drop(page, [{ name: 'notes.txt', text: 'second notes' }])
    const ask = page.getByRole('dialog', { name: 'Replace the existing file?' })
    await ask.getByText('Nothing has been uploaded yet').waitFor()
    expect(await read('/notes.txt')).toBe('first draft')
    await ask.getByRole('button', { name: 'Keep both' }).click()
    await row(page, 'notes (2).txt').waitFor()
    expect(await read('/notes (2).txt')).toBe('second notes')
    await shot(page, 'uploads')

    // Rename with F2.
    await row(page, 'drop.txt').click()
    await page.keyboard.press('F2')
    await page.getByLabel('New name').fill('renamed.txt')
    await page.keyboard.press('Enter')
    await row(page, 'renamed.txt').waitFor()
    expect(await row(page, 'drop.txt').count()).toBe(0)

    // Move by dragging onto a folder row.
    await row(page, 'renamed.txt').dragTo(row(page, 'Trips'))
    await expect.poll(() => row(page, 'renamed.txt').count()).toBe(0)
    expect(await read('/Trips/renamed.txt')).toBe('dropped')

    // Copy with the "Copy to…" dialog.
    await row(page, 'notes (2).txt').click()
    await page.getByRole('toolbar', { name: 'Selection actions' }).getByRole('button', { name: 'Copy to…' }).click()
    const picker = page.getByRole('dialog', { name: /^Copy/ })
    await picker.getByRole('button', { name: /Trips/ }).click()
    await picker.getByText('/Trips').waitFor()
    await picker.getByRole('button', { name: 'Choose this folder' }).click()
    await expect.poll(() => read('/Trips/notes (2).txt').catch(() => '')).toBe('second notes')
    await row(page, 'notes (2).txt').waitFor()

    // Preview an image.
    await row(page, 'cat.png').dblclick()
    const img = page.getByRole('dialog', { name: 'cat.png' }).getByRole('img', { name: 'cat.png' })
    await img.waitFor()
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1)
    await page.keyboard.press('Escape')

    // Edit, while someone else changes the file: a Conflict, and both versions kept.
    await row(page, 'notes.txt').dblclick()
    const editor = page.getByRole('dialog', { name: 'notes.txt' })
    const text = editor.getByLabel('Contents of notes.txt')
    await expect.poll(() => text.inputValue()).toBe('first draft')
    await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/notes.txt`, Body: 'changed elsewhere' }))
    await text.fill('my edit')
    await editor.getByRole('button', { name: 'Save' }).click()
    await editor
      .getByRole('alert')
      .getByText(/Conflict: notes\.txt changed somewhere else/)
      .waitFor()
    await shot(page, 'conflict')
    expect(await read('/notes.txt')).toBe('changed elsewhere')
    expect(await read('/notes (your version).txt')).toBe('my edit')
    await page.keyboard.press('Escape')

    // Delete a folder: the confirmation counts what goes.
    await row(page, 'Trips').click()
    await page.keyboard.press('Delete')
    const confirm = page.getByRole('dialog', { name: 'Delete Trips?' })
    await confirm.getByText('2 files').waitFor()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => row(page, 'Trips').count()).toBe(0)
    await expect.poll(() => read('/Trips/renamed.txt').catch(() => 'gone')).toBe('gone')

    // Sign out, sign in again: everything is where it was.
    await page.getByRole('link', { name: 'Account' }).click()
    await page.getByRole('button', { name: 'Sign out on this device' }).click()
    await signIn(page, user.username)
    for (const name of ['cat.png', 'notes.txt', 'notes (2).txt', 'notes (your version).txt']) await row(page, name).waitFor()
    expectNoErrors(app)
    await page.context().close()
  })
})
