/**
 * The account journey in Chromium: sign up with the mailbox's code, sign in, the session survives
 * a reload, sign out; a forgotten password reset; change password; delete the account after
 * typing the username.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { latestCode } from '../../../test/users.js'
import { expectNoErrors, openApp, PASSWORD, shot, signIn, signUpAndIn, uniqueUser } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase account', () => {
  it('signs up, confirms, signs in, survives a reload, signs out', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await shot(page, 'sign-in')
    const username = uniqueUser('journey')
    await page.getByRole('link', { name: 'Create an account' }).click()
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('E-mail').fill(`${username}@example.com`)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Confirm your account' }).waitFor()
    // Local mode: the code is in the local mailbox, linked from the screen.
    const mailbox = await page.getByRole('link', { name: 'Open the local mailbox' }).getAttribute('href')
    expect(mailbox).toContain('/_whimsy/mailbox?username=')
    await page.getByLabel('Confirmation code').fill(await latestCode(cloud, username))
    await page.getByRole('button', { name: 'Confirm' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await signIn(page, username)
    await expect.poll(() => page.getByTestId('usage').textContent()).toMatch(/0 bytes · 0 files/)
    await page.reload()
    await page.getByRole('navigation', { name: 'Folder path' }).waitFor()
    expect(await page.locator('.who').textContent()).toBe(username)
    await page.getByRole('link', { name: 'Account' }).click()
    await page.getByRole('button', { name: 'Sign out on this device' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expectNoErrors(app)
    await page.context().close()
  })

  it('resets a forgotten password, changes it, signs out everywhere, and deletes the account', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    const username = uniqueUser('reset')
    await signUpAndIn(page, cloud, username)
    await page.getByRole('link', { name: 'Account' }).click()
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await page.getByLabel('Username').fill(username)
    const before = await latestCode(cloud, username)
    await page.getByRole('button', { name: 'Send me a code' }).click()
    await page.getByLabel('Code', { exact: true }).waitFor()
    await expect.poll(() => latestCode(cloud, username)).not.toBe(before)
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(cloud, username))
    await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-77')
    await page.getByRole('button', { name: 'Set new password' }).click()
    await page.getByText('Your password is changed').waitFor()
    await signIn(page, username, 'brand-new-pass-77')

    await page.getByRole('link', { name: 'Account' }).click()
    await page.getByLabel('Current password', { exact: true }).fill('wrong-password-1')
    await page.getByLabel('New password', { exact: true }).fill('another-pass-88')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByRole('form', { name: 'Change password' }).getByRole('alert').waitFor()
    await page.getByLabel('Current password', { exact: true }).fill('brand-new-pass-77')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Your password is changed.').waitFor()
    await shot(page, 'account')

    // Deleting needs the exact username; the warning says what goes.
    await expect(page.locator('.danger-zone').textContent()).resolves.toMatch(/files.*website.*profile/s)
    await page.getByLabel(/Type your username/).fill('someone-else')
    await page.getByLabel('Password', { exact: true }).fill('another-pass-88')
    await page.getByRole('button', { name: 'Delete my account' }).click()
    await page.getByText(`Type your username, ${username}, to confirm.`).waitFor()
    await page.getByLabel(/Type your username/).fill(username)
    await page.getByRole('button', { name: 'Delete my account' }).click()
    await page.getByRole('heading', { name: 'Create your Briefcase' }).waitFor()
    await page.getByRole('link', { name: 'Sign in' }).click()
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('Password').fill('another-pass-88')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('form', { name: 'Sign in' }).getByRole('alert').waitFor()
    expectNoErrors(app)
    await page.context().close()
  })
})
