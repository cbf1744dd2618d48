/**
 * Selecting and moving in Chromium, for one signed-in user on one page: Shift-click takes a
 * range and Ctrl-click toggles a row, "Move to…" walks into a nested folder and moves the whole
 * selection there, dragging a row onto a breadcrumb moves it up, a file downloads as itself, and
 * an upload whose name exists is replaced or skipped as the user chose, and a move that stops
 * half-way says how far it got and is finished by running it again; publishing can move a file.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Browser, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { type AppPage, expectNoErrors, openApp, row, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser
let app: AppPage
let page: Page

async function put(path: string, body: string): Promise<void> {
  await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}${path}`, Body: body }))
}

/** The object's text, or undefined when there is none. */
async function read(path: string): Promise<string | undefined> {
  try {
    const res = await user.s3.send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}${path}` }))
    return await res.Body?.transformToString()
  } catch {
    return undefined
  }
}

const selectedNames = () => page.locator('.file-row[aria-selected="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'selmove')
  // Sorted by name, folders first: Archive, a.txt, b.txt, c.txt, d.txt.
  for (const n of ['a', 'b', 'c', 'd']) await put(`/${n}.txt`, `file ${n}`)
  await put('/Archive/Deep/keep.txt', 'already here')
  await put('/taken.txt', 'the old bytes')
  await put('/kept.txt', 'left alone')
  for (const n of [1, 2, 3, 4]) await put(`/Batch/part-${n}.txt`, `part ${n}`)
  app = await openApp(browser, cloud)
  page = app.page
  await signIn(page, user.username)
  await row(page, 'd.txt').waitFor()
})
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase selection and moves', () => {
  it('Shift-click selects a range, Ctrl-click toggles one row, "Move to…" moves them all into a nested folder', async () => {
    await row(page, 'a.txt').click()
    await row(page, 'c.txt').click({ modifiers: ['Shift'] })
    expect(await selectedNames()).toEqual(['a.txt', 'b.txt', 'c.txt'])
    await row(page, 'b.txt').click({ modifiers: ['Control'] })
    expect(await selectedNames()).toEqual(['a.txt', 'c.txt'])
    await row(page, 'd.txt').click({ modifiers: ['Control'] })
    expect(await selectedNames()).toEqual(['a.txt', 'c.txt', 'd.txt'])
    const bar = page.getByRole('toolbar', { name: 'Selection actions' })
    await bar.getByText('3 selected').waitFor()

    await bar.getByRole('button', { name: 'Move to…' }).click()
    const picker = page.getByRole('dialog', { name: 'Move 3 items to…' })
    await picker.getByRole('button', { name: /Archive/ }).click()
    await picker.getByRole('button', { name: /Deep/ }).click()
    await picker.getByText('/Archive/Deep').waitFor()
    await picker.getByRole('button', { name: 'Choose this folder' }).click()
    await expect.poll(() => row(page, 'd.txt').count()).toBe(0)
    expect(await row(page, 'a.txt').count()).toBe(0)
    expect(await row(page, 'c.txt').count()).toBe(0)
    await row(page, 'b.txt').waitFor()
    for (const n of ['a', 'c', 'd']) {
      expect(await read(`/Archive/Deep/${n}.txt`)).toBe(`file ${n}`)
      expect(await read(`/${n}.txt`)).toBeUndefined()
    }
    expect(await read('/b.txt')).toBe('file b')
    expect(await read('/Archive/Deep/keep.txt')).toBe('already here')
    expectNoErrors(app)
  })

  it('a move that stops half-way says how far it got, and running it again finishes it', async () => {
    // The network fails every server-side copy after the first two: the move stops part-way.
    let copies = 0
    const failCopies = async (route: Route) => {
      if (route.request().headers()['x-amz-copy-source'] && ++copies > 2) return route.abort('failed')
      return route.fallback()
    }
    await page.route('**/*', failCopies)
    const moveTo = async () => {
      await row(page, 'Batch').click({ button: 'right' })
      await page
        .getByRole('menu', { name: 'Actions' })
        .getByRole('menuitem', { name: /Move to/ })
        .click()
      const picker = page.getByRole('dialog', { name: 'Move Batch to…' })
      await picker.getByRole('button', { name: /Archive/ }).click()
      await picker.getByText('/Archive').waitFor()
      await picker.getByRole('button', { name: 'Choose this folder' }).click()
    }
    await moveTo()
    const stopped = page.locator('.operation.failed[role="alert"]')
    await stopped.getByText(/Moving Batch did not finish: .* It stopped after \d of 4 items; run it again to finish\./).waitFor()
    const left = async () => (await Promise.all([1, 2, 3, 4].map((n) => read(`/Batch/part-${n}.txt`)))).filter((t) => t !== undefined).length
    // The first two moved; the two whose copies failed are still where they were.
    await expect.poll(left).toBe(2)
    await row(page, 'Batch').waitFor()

    await page.unroute('**/*', failCopies)
    await moveTo()
    await expect.poll(() => row(page, 'Batch').count()).toBe(0)
    expect(await stopped.count()).toBe(0)
    for (const n of [1, 2, 3, 4]) expect(await read(`/Archive/Batch/part-${n}.txt`)).toBe(`part ${n}`)
    expect(await left()).toBe(0)
    expectNoErrors(app)
  })

  it('moves a row dragged onto a breadcrumb into that folder', async () => {
    await row(page, 'Archive').dblclick()
    await row(page, 'Deep').dblclick()
    await row(page, 'a.txt').waitFor()
    const crumbs = page.getByRole('navigation', { name: 'Folder path' })
    await row(page, 'a.txt').dragTo(crumbs.getByRole('link', { name: 'Archive' }))
    await expect.poll(() => read('/Archive/a.txt')).toBe('file a')
    await expect.poll(() => row(page, 'a.txt').count()).toBe(0)
    expect(await read('/Archive/Deep/a.txt')).toBeUndefined()
    await crumbs.getByRole('link', { name: 'My Briefcase' }).click()
    await row(page, 'b.txt').waitFor()
    expectNoErrors(app)
  })

  it('downloads a single file under its own name with its bytes', async () => {
    await row(page, 'b.txt').click({ button: 'right' })
    const saved = page.waitForEvent('download')
    await page
      .getByRole('menu', { name: 'Actions' })
      .getByRole('menuitem', { name: /Download/ })
      .click()
    const download = await saved
    expect(download.suggestedFilename()).toBe('b.txt')
    // Read as a stream, not from download.path(): a browser reached over a connection (not
    // launched by this process) has no local path to give.
    const chunks: Buffer[] = []
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).toString()).toBe('file b')
    expectNoErrors(app)
  })

  it('an upload onto a taken name is replaced when the user says Replace', async () => {
    await page.getByLabel('Choose files to upload').setInputFiles([{ name: 'taken.txt', mimeType: 'text/plain', buffer: Buffer.from('the new bytes') }])
    const ask = page.getByRole('dialog', { name: 'Replace the existing file?' })
    await ask.getByText('taken.txt already exists here.').waitFor()
    expect(await read('/taken.txt')).toBe('the old bytes')
    await ask.getByRole('button', { name: 'Replace' }).click()
    await expect.poll(() => read('/taken.txt')).toBe('the new bytes')
    // Replaced in place: no "taken (2).txt" beside it.
    expect(await read('/taken (2).txt')).toBeUndefined()
    expectNoErrors(app)
  })

  it('Skip leaves the taken name alone and still uploads the rest', async () => {
    await page.getByLabel('Choose files to upload').setInputFiles([
      { name: 'kept.txt', mimeType: 'text/plain', buffer: Buffer.from('must not land') },
      { name: 'fresh.txt', mimeType: 'text/plain', buffer: Buffer.from('a new file') },
    ])
    const ask = page.getByRole('dialog', { name: 'Replace the existing file?' })
    await ask.getByText('kept.txt already exists here.').waitFor()
    await ask.getByRole('button', { name: 'Skip' }).click()
    // A skipped file is never queued: once fresh.txt has landed, the choice has been applied.
    await expect.poll(() => read('/fresh.txt')).toBe('a new file')
    await row(page, 'fresh.txt').waitFor()
    expect(await read('/kept.txt')).toBe('left alone')
    expect(await read('/kept (2).txt')).toBeUndefined()
    expectNoErrors(app)
  })

  it('publishes by moving: the file leaves its folder for /public', async () => {
    await row(page, 'kept.txt').click()
    await page.keyboard.press('p')
    await page.getByRole('dialog', { name: 'Publish to your site' }).getByRole('button', { name: 'Move to public' }).click()
    await row(page, 'public').waitFor()
    await expect.poll(() => row(page, 'kept.txt').count()).toBe(0)
    expect(await read('/public/kept.txt')).toBe('left alone')
    expect(await read('/kept.txt')).toBeUndefined()
    expectNoErrors(app)
  })
})
