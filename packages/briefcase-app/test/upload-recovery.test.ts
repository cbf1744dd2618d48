/**
 * When uploads go wrong, in Chromium: the tray's Cancel stops an upload and keeps nothing, Retry
 * sends a failed one again; a large upload interrupted by a reload is offered for resuming when
 * the same file is chosen again, and resuming sends only the parts S3 lacks; a session lost
 * under the view (signed out everywhere from another device) is signed in again over it, the
 * folder and the upload queue kept.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { createWhimsy, memoryStorage } from '@whimsy/sdk'
import type { Browser, Page, Request, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { adminS3, createUser, PASSWORD, type TestUser } from '../../../test/users.js'
import { expectNoErrors, openApp, row, shot, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser
const dir = mkdtempSync(join(tmpdir(), 'briefcase-uploads-'))
/** Three parts of the SDK's 8 MiB (8, 8 and 4: over its 16 MiB threshold for uploads in parts). */
const BIG = 20 * 1024 * 1024
const bigPath = join(dir, 'big.bin')
const bigBytes = Buffer.alloc(BIG)
for (let i = 0; i < BIG; i += 4) bigBytes.writeUInt32LE(i, i)

const isPart = (url: string) => /[?&]partNumber=\d+/.test(url) && /[?&]uploadId=/.test(url)
const partUrls = (url: URL) => isPart(url.href)
const partOf = (url: string) => Number(/[?&]partNumber=(\d+)/.exec(url)?.[1])

async function exists(path: string): Promise<boolean> {
  return user.s3
    .send(new HeadObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}${path}` }))
    .then(() => true)
    .catch(() => false)
}

/** Uploads big.bin into `folder` until parts 1 and 2 are in S3; part 3's connection drops; then the tab reloads. */
async function interruptAfterTwoParts(page: Page, folder = ''): Promise<void> {
  const holdLast = (route: Route) => (partOf(route.request().url()) < 3 ? route.fallback() : route.abort('connectionreset'))
  await page.route(partUrls, holdLast)
  const sent = [1, 2].map((n) => page.waitForResponse((r) => isPart(r.url()) && partOf(r.url()) === n))
  await page.getByLabel('Choose files to upload').setInputFiles(bigPath)
  for (const r of sent) expect((await r).status()).toBe(200)
  await page.reload()
  await page.unroute(partUrls, holdLast)
  await page.getByRole('navigation', { name: 'Folder path' }).waitFor()
  expect(await exists(`${folder}/big.bin`)).toBe(false)
}

async function openUploads(page: Page) {
  return page.getByRole('complementary', { name: 'Uploads' })
}

beforeAll(async () => {
  writeFileSync(bigPath, bigBytes)
  browser = await launchChromium()
  user = await createUser(cloud, 'recover')
})
afterAll(async () => {
  await browser?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('Briefcase upload recovery', () => {
  it('cancels an upload from the tray, leaving nothing, and retries a failed one', { timeout: 120_000 }, async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    // Preparing an 8 MiB part keeps this page's main thread busy for seconds on a loaded machine.
    page.setDefaultTimeout(60_000)
    await signIn(page, user.username)
    // Its parts are held on the way, so the big file is still uploading when Cancel is pressed.
    const hold = () => {}
    await page.route(partUrls, hold)
    const firstPart = page.waitForRequest((r) => isPart(r.url()))
    await page.getByLabel('Choose files to upload').setInputFiles(bigPath)
    const tray = await openUploads(page)
    await firstPart
    await tray.getByRole('button', { name: 'Cancel big.bin' }).click()
    await tray.locator('[data-upload="big.bin"]').getByText('Cancelled').waitFor()
    await page.unroute(partUrls, hold)
    // Nothing was written, and the parts were removed with the multipart upload.
    expect(await exists('/big.bin')).toBe(false)
    await expect
      .poll(
        async () => (await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket: cloud.config.bucket, Prefix: `${user.identityId}/` }))).Uploads ?? [],
        {
          timeout: 10_000,
        },
      )
      .toEqual([])

    // A refused upload fails with the reason; Retry sends it again.
    const refuse = (route: Route, request: Request) =>
      request.method() === 'PUT'
        ? route.fulfill({ status: 403, contentType: 'application/xml', body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' })
        : route.fallback()
    await page.route(/\/flaky\.txt/, refuse)
    await page.getByLabel('Choose files to upload').setInputFiles({ name: 'flaky.txt', mimeType: 'text/plain', buffer: Buffer.from('second time lucky') })
    const flaky = tray.locator('[data-upload="flaky.txt"]')
    await flaky.getByText('Failed').waitFor()
    expect(await flaky.locator('.error').textContent()).toMatch(/\S/)
    await shot(page, 'upload-failed')
    await page.unroute(/\/flaky\.txt/, refuse)
    await tray.getByRole('button', { name: 'Retry flaky.txt' }).click()
    await flaky.getByText('Done').waitFor()
    await row(page, 'flaky.txt').waitFor()
    expect(await exists('/flaky.txt')).toBe(true)
    await page.context().close()
  })

  it('offers to resume an interrupted large upload when the same file is chosen again, and sends only the missing parts', { timeout: 120_000 }, async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    page.setDefaultTimeout(60_000)
    await signIn(page, user.username)
    // Parts 1 and 2 reach S3; part 3 never does (its connection drops), and then the tab goes away.
    await interruptAfterTwoParts(page)

    const parts: number[] = []
    page.on('request', (r) => {
      if (r.method() === 'PUT' && isPart(r.url())) parts.push(partOf(r.url()))
    })
    await page.getByLabel('Choose files to upload').setInputFiles(bigPath)
    const offer = page.getByRole('dialog', { name: 'Resume uploading big.bin?' })
    await offer.getByText(/stopped after .* of 21 MB/).waitFor()
    await shot(page, 'upload-resume')
    await offer.getByRole('button', { name: 'Resume' }).click()
    const tray = await openUploads(page)
    await tray.locator('[data-upload="big.bin"]').getByText('Done').waitFor()
    // The parts S3 had were not sent again.
    expect(parts).toEqual([3])
    const stored = await user.s3.send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/big.bin` }))
    const body = Buffer.from((await stored.Body?.transformToByteArray()) ?? [])
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(bigBytes).digest('hex'))
    // Finished: choosing it again is an ordinary upload (a name conflict), not a resume.
    expect(await page.evaluate(() => localStorage.getItem('briefcase.interrupted-uploads'))).toBeNull()
    expectNoErrors(app)
    await page.context().close()
  })

  it('starts over when asked: every part is sent again and the kept ones are removed', { timeout: 120_000 }, async () => {
    await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/Again/.keep`, Body: '' }))
    const app = await openApp(browser, cloud)
    const { page } = app
    page.setDefaultTimeout(60_000)
    await signIn(page, user.username)
    await row(page, 'Again').dblclick()
    await page.waitForURL(/#\/files\/Again$/)
    await interruptAfterTwoParts(page, '/Again')
    const parts: number[] = []
    page.on('request', (r) => {
      if (r.method() === 'PUT' && isPart(r.url())) parts.push(partOf(r.url()))
    })
    await page.getByLabel('Choose files to upload').setInputFiles(bigPath)
    await page.getByRole('dialog', { name: 'Resume uploading big.bin?' }).getByRole('button', { name: 'Start over' }).click()
    await (await openUploads(page)).locator('[data-upload="big.bin"]').getByText('Done').waitFor()
    expect(parts.sort((a, b) => a - b)).toEqual([1, 2, 3])
    expect(await exists('/Again/big.bin')).toBe(true)
    // The interrupted upload's parts went with it: no multipart upload is left open.
    const open = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket: cloud.config.bucket, Prefix: `${user.identityId}/Again/` }))
    expect(open.Uploads ?? []).toEqual([])
    expectNoErrors(app)
    await page.context().close()
  })

  it('signs in again over the view when the session is lost, keeping the folder and the upload queue', async () => {
    await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/Work/plan.txt`, Body: 'plan' }))
    const app = await openApp(browser, cloud)
    const { page } = app
    await signIn(page, user.username)
    await row(page, 'Work').dblclick()
    await row(page, 'plan.txt').waitFor()

    // Another device signs out everywhere: the tokens this tab holds are revoked.
    const other = createWhimsy(cloud.config, { storage: memoryStorage() })
    await other.auth.signIn({ username: user.username, password: PASSWORD })
    await other.auth.signOut({ everywhere: true })
    // The tab's credentials run out at its next upload (S3 says so once); the revoked tokens buy no new ones.
    let expired = false
    await page.route(/\/Work\/later\.txt/, (route) => {
      if (expired) return route.fallback()
      expired = true
      return route.fulfill({
        status: 400,
        contentType: 'application/xml',
        body: '<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>',
      })
    })
    await page.getByLabel('Choose files to upload').setInputFiles({ name: 'later.txt', mimeType: 'text/plain', buffer: Buffer.from('kept in the queue') })
    const lost = page.getByRole('dialog', { name: 'Your session ended' })
    await lost.waitFor()
    const tray = await openUploads(page)
    await tray.locator('[data-upload="later.txt"]').getByText('Waiting').waitFor()
    expect(page.url()).toMatch(/#\/files\/Work$/)
    await shot(page, 'session-lost')

    await lost.getByLabel('Password').fill(PASSWORD)
    await lost.getByRole('button', { name: 'Sign in' }).click()
    await lost.waitFor({ state: 'detached' })
    // The same folder, and the queued upload carried on.
    await tray.locator('[data-upload="later.txt"]').getByText('Done').waitFor()
    await row(page, 'later.txt').waitFor()
    expect(page.url()).toMatch(/#\/files\/Work$/)
    expect(await exists('/Work/later.txt')).toBe(true)
    await page.context().close()
  })
})
