/** Driving the Briefcase in Chromium: one browser per test file, pages that fail on any page error. */
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { expect } from 'vitest'
import type { CloudInfo } from '../../../test/cloud-info.js'
import { latestCode, PASSWORD } from '../../../test/users.js'

export { PASSWORD }
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results')

export interface AppPage {
  page: Page
  errors: string[]
}

export async function openApp(browser: Browser, cloud: CloudInfo, options: BrowserContextOptions = {}): Promise<AppPage> {
  const context = await browser.newContext(options)
  const page = await context.newPage()
  // Shorter than the test's own timeout, so a failure names the step that waited.
  page.setDefaultTimeout(15_000)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  await page.goto(cloud.urls.app)
  return { page, errors }
}

export function uniqueUser(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}

/** Signs up through the UI, confirms with the mailbox's code, signs in: the files screen shows. */
export async function signUpAndIn(page: Page, cloud: CloudInfo, username: string): Promise<void> {
  await page.getByRole('link', { name: 'Create an account' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('E-mail').fill(`${username}@example.com`)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Confirm your account' }).waitFor()
  await page.getByLabel('Confirmation code').fill(await latestCode(cloud, username))
  await page.getByRole('button', { name: 'Confirm' }).click()
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await signIn(page, username)
}

export async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Folder path' }).waitFor()
}

/** A row of the file grid by its exact name. */
export function row(page: Page, name: string) {
  return page.locator(`.file-row[data-name="${name.replace(/"/g, '\\"')}"]`)
}

export function expectNoErrors(app: AppPage): void {
  expect(app.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([])
}
