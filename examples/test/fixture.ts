/**
 * The examples' own local cloud and origin. The shared test cloud trusts only the Briefcase's
 * origin at its handle registry (production's `appOrigins`), so these suites start one that also
 * lists the examples' origin, exactly as `npm start` does, and serve the examples there.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalCloud, startLocalCloud } from '@whimsy/local-cloud'
import type { BrowserContext, Page } from 'playwright-core'
import type { CloudInfo } from '../../test/cloud-info.js'
import { createUser, latestCode, PASSWORD } from '../../test/users.js'
import { type ExamplesServer, examplesOrigins, startExamplesServer } from '../server.js'

export interface ExamplesFixture {
  cloud: LocalCloud
  info: CloudInfo
  site: ExamplesServer
  stop(): Promise<void>
}

export async function startExamples(): Promise<ExamplesFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-examples-'))
  let configUrl = ''
  const site = await startExamplesServer({ port: 0, configUrl: () => configUrl })
  const cloud = await startLocalCloud({ dataDir, appOrigins: examplesOrigins(Number(new URL(site.url).port)) })
  configUrl = cloud.urls.config
  const info: CloudInfo = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }
  return {
    cloud,
    info,
    site,
    async stop() {
      await site.close()
      await cloud.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Uncaught errors of every tab opened by `openTab`; suites expect it empty after each test. */
export const pageErrors: string[] = []

/** A tab in `context`: tabs of one context share the origin's storage, so its session. */
export async function openTab(context: BrowserContext, url: string): Promise<Page> {
  const tab = await context.newPage()
  tab.on('pageerror', (e) => pageErrors.push(`${url}: ${String(e)}`))
  await tab.goto(url)
  return tab
}

/** Signs in through the example's own account box (a user made by the real sign-up). */
export async function signInThroughPage(tab: Page, username: string): Promise<void> {
  await tab.fill('#account-username', username)
  await tab.fill('#account-password', PASSWORD)
  await tab.click('#account-sign-in')
  await tab.locator('#account-user').waitFor()
}

/** A confirmed user, for examples whose flow starts signed in. */
export async function newUser(fixture: ExamplesFixture, prefix: string): Promise<string> {
  return (await createUser(fixture.info, prefix)).username
}

/** Sign-up through the page, with the code read from the local mailbox as a person would read the e-mail. */
export async function signUpThroughPage(fixture: ExamplesFixture, tab: Page, username: string): Promise<void> {
  await tab.fill('#account-username', username)
  await tab.fill('#account-email', `${username}@example.com`)
  await tab.fill('#account-password', PASSWORD)
  await tab.click('#account-sign-up')
  await tab.locator('#account-code').waitFor()
  await tab.fill('#account-code', await latestCode(fixture.info, username))
  await tab.click('#account-confirm')
  await tab.locator('#account-user').waitFor()
}

/** Claims a handle through the account box and waits until the page shows the site. */
export async function claimHandleThroughPage(tab: Page, handle: string): Promise<void> {
  await tab.fill('#account-handle', handle)
  await tab.click('#account-claim')
  await tab.locator('#account-user', { hasText: `${handle}.localhost` }).waitFor()
}
