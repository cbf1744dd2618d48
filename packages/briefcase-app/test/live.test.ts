/**
 * The open folder follows changes made elsewhere (issues 13 and 15): another device writes a
 * file into it and deletes another, and the Briefcase shows both without a reload.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { expectNoErrors, openApp, row, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser

const put = (key: string, body: string) => user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/${key}`, Body: body }))

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'live')
  await put('docs/old.txt', 'old')
}, 60_000)
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase live updates', () => {
  it('a file written and one deleted on another device show up in the open folder without a reload', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await signIn(page, user.username)
    await row(page, 'docs').dblclick()
    await row(page, 'old.txt').waitFor()
    const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length)
    // "Another device": the same user's own S3 client, outside this page.
    await put('docs/from-phone.txt', 'hello from the phone')
    await row(page, 'from-phone.txt').waitFor()
    await user.s3.send(new DeleteObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/docs/old.txt` }))
    await row(page, 'old.txt').waitFor({ state: 'detached' })
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loads)
    expect(page.url()).toMatch(/#\/files\/docs$/)
    expectNoErrors(app)
  })
})
