/**
 * Accessibility and input modes in Chromium: axe-core finds no serious or critical violation on
 * the main screens; a keyboard-only run; a phone-sized touch run.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { expectNoErrors, openApp, row, shot, signIn } from './app-page.js'

const cloud = inject('cloud')
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
let browser: Browser
let user: TestUser

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'usable')
  for (const [key, body] of [
    ['photos/beach.png', 'x'],
    ['readme.md', '# Hi'],
    ['todo.txt', 'milk'],
  ])
    await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/${key}`, Body: body }))
})
afterAll(async () => {
  await browser?.close()
})

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[]
}

async function axe(page: Page, screen: string): Promise<void> {
  // axe is injected as a script: the test context bypasses the app's CSP for it alone.
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE })
  const result = (await page.evaluate(() => (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as AxeResult
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(
    bad.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    screen,
  ).toEqual([])
}

describe('Briefcase usability', () => {
  it('has no serious or critical axe violations on the main screens', async () => {
    const app = await openApp(browser, cloud, { bypassCSP: true })
    const { page } = app
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await axe(page, 'sign in')
    await page.getByRole('link', { name: 'Create an account' }).click()
    await axe(page, 'sign up')
    await page.getByRole('link', { name: 'Sign in' }).click()
    await signIn(page, user.username)
    await row(page, 'todo.txt').waitFor()
    await axe(page, 'files')
    await row(page, 'todo.txt').click()
    await axe(page, 'files with a selection')
    // The context menu lists the same actions as the keys, with their shortcuts.
    await row(page, 'todo.txt').click({ button: 'right' })
    const menu = page.getByRole('menu', { name: 'Actions' })
    await menu.getByRole('menuitem', { name: /Rename\s*F2/ }).waitFor()
    await shot(page, 'context-menu')
    await axe(page, 'context menu')
    await page.keyboard.press('Escape')
    await expect.poll(() => menu.count()).toBe(0)
    await page.keyboard.press('?')
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
    await shot(page, 'shortcuts')
    await axe(page, 'shortcuts')
    await page.keyboard.press('Escape')
    await row(page, 'readme.md').dblclick()
    await page.getByRole('dialog', { name: 'readme.md' }).getByRole('heading', { name: 'Hi' }).waitFor()
    await shot(page, 'preview-markdown')
    await axe(page, 'preview')
    await page.keyboard.press('Escape')
    for (const [link, heading] of [
      ['My site', 'My site'],
      ['Profile', 'Profile'],
      ['Account', 'Your account'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click()
      await page.getByRole('heading', { name: heading, exact: true }).waitFor()
      await axe(page, link)
    }
    expectNoErrors(app)
    await page.context().close()
  })

  it('works from the keyboard alone', async () => {
    const app = await openApp(browser, cloud)
    const { page } = app
    await page.getByLabel('Username').waitFor()
    await page.keyboard.type(user.username)
    await page.keyboard.press('Tab')
    await page.keyboard.type(user.password)
    await page.keyboard.press('Enter')
    await row(page, 'todo.txt').waitFor()
    // New folder from its shortcut.
    await page.keyboard.press('Shift+N')
    await page.getByLabel('Folder name').waitFor()
    await page.keyboard.press('Control+A')
    await page.keyboard.type('Keys')
    await page.keyboard.press('Enter')
    await row(page, 'Keys').waitFor()
    // Into the grid: arrows, Shift+arrows select, Ctrl+A selects all.
    await page.getByRole('grid').focus()
    await page.keyboard.press('Home')
    await page.keyboard.press('Shift+ArrowDown')
    await page.getByText('2 selected').waitFor()
    await page.keyboard.press('Control+a')
    await page.getByText('4 selected').waitFor()
    // Open a folder with Enter, come back with Alt+ArrowUp.
    await page.keyboard.press('Home')
    await page.keyboard.press('Enter')
    await page.waitForURL(/#\/files\/Keys$/)
    await page.keyboard.press('Alt+ArrowUp')
    await row(page, 'todo.txt').waitFor()
    // Rename with F2, delete with Delete, confirm from the keyboard.
    await page.getByRole('grid').focus()
    await page.keyboard.press('End')
    await page.keyboard.press('F2')
    await page.getByLabel('New name').waitFor()
    await page.keyboard.press('Control+A')
    await page.keyboard.type('done.txt')
    await page.keyboard.press('Enter')
    await row(page, 'done.txt').waitFor()
    // Sorted: Keys, photos, done.txt, readme.md.
    await page.getByRole('grid').focus()
    await page.keyboard.press('End')
    await page.keyboard.press('ArrowUp')
    await page.keyboard.press('Delete')
    const confirm = page.getByRole('dialog', { name: 'Delete done.txt?' })
    await confirm.waitFor()
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await expect.poll(() => row(page, 'done.txt').count()).toBe(0)
    expectNoErrors(app)
    await page.context().close()
  })

  it('fits a phone: a tap opens a folder, a long press selects', async () => {
    const app = await openApp(browser, cloud, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
    const { page } = app
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await shot(page, 'phone-sign-in')
    await signIn(page, user.username)
    await row(page, 'photos').waitFor()
    await shot(page, 'phone-files')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await row(page, 'photos').tap()
    await page.waitForURL(/#\/files\/photos$/)
    await row(page, 'beach.png').waitFor()
    await page.goBack()
    await row(page, 'readme.md').waitFor()
    // A long press: touch down, and the selection appears while the finger is still down.
    const box = await row(page, 'readme.md').boundingBox()
    const client = await page.context().newCDPSession(page)
    const point = { x: (box?.x ?? 0) + 40, y: (box?.y ?? 0) + 10 }
    await client.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] })
    await page.getByText('1 selected').waitFor()
    await client.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
    expectNoErrors(app)
    await page.context().close()
  })
})
