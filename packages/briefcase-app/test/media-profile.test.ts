/**
 * Previews, the avatar and the handle in Chromium, for one signed-in user on one page: audio
 * and video play in the preview, a PDF opens in Chromium's viewer in a new
 * tab; the avatar is picked from the public folder or uploaded, and shows as visitors will see
 * it; a claimed handle is changed, the site moving to the new name and leaving the old one.
 */
import { randomUUID } from 'node:crypto'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/browser.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { type AppPage, expectNoErrors, openApp, row, signIn } from './app-page.js'

const cloud = inject('cloud')
let browser: Browser
let user: TestUser
let app: AppPage
let page: Page
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

/** Half a second of silence as 8 kHz 16-bit mono PCM: a WAV Chromium decodes without codecs. */
function wav(seconds: number): Buffer {
  const rate = 8000
  const data = rate * seconds * 2
  const b = Buffer.alloc(44 + data)
  b.write('RIFF', 0)
  b.writeUInt32LE(36 + data, 4)
  b.write('WAVEfmt ', 8)
  b.writeUInt32LE(16, 16)
  b.writeUInt16LE(1, 20) // PCM
  b.writeUInt16LE(1, 22) // mono
  b.writeUInt32LE(rate, 24)
  b.writeUInt32LE(rate * 2, 28)
  b.writeUInt16LE(2, 32)
  b.writeUInt16LE(16, 34)
  b.write('data', 36)
  b.writeUInt32LE(data, 40)
  return b
}

async function put(path: string, body: string | Buffer, contentType?: string): Promise<void> {
  await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}${path}`, Body: body, ContentType: contentType }))
}

async function exists(path: string): Promise<boolean> {
  return user.s3
    .send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}${path}` }))
    .then(() => true)
    .catch(() => false)
}

async function close(name: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name })
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect.poll(() => dialog.count()).toBe(0)
}

/**
 * A real WebM (VP8) of a 64×48 canvas, recorded by Chromium's MediaRecorder on a blank page: no
 * video fixture is checked in and no encoder is on the machine. It stops on animation frames,
 * not on a clock.
 */
async function recordWebm(): Promise<Buffer> {
  const blank = await browser.newPage()
  const bytes = await blank.evaluate(async () => {
    const canvas = document.createElement('canvas')
    canvas.width = 64
    canvas.height = 48
    document.body.append(canvas)
    const g = canvas.getContext('2d') as CanvasRenderingContext2D
    const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm;codecs=vp8' })
    const chunks: Blob[] = []
    recorder.ondataavailable = (e) => chunks.push(e.data)
    const stopped = new Promise((resolve) => {
      recorder.onstop = resolve
    })
    recorder.start()
    for (let i = 0; i < 10; i++) {
      g.fillStyle = `hsl(${i * 36}, 80%, 50%)`
      g.fillRect(0, 0, 64, 48)
      await new Promise(requestAnimationFrame)
    }
    recorder.stop()
    await stopped
    return [...new Uint8Array(await new Blob(chunks).arrayBuffer())]
  })
  await blank.context().close()
  return Buffer.from(bytes)
}

beforeAll(async () => {
  browser = await launchChromium()
  user = await createUser(cloud, 'media')
  await put('/tone.wav', wav(0.5), 'audio/wav')
  await put('/clip.webm', await recordWebm(), 'video/webm')
  await put('/paper.pdf', PDF, 'application/pdf')
  await put('/public/index.html', '<h1>My page</h1>', 'text/html')
  await put('/public/face.png', PNG, 'image/png')
  app = await openApp(browser, cloud)
  page = app.page
  await signIn(page, user.username)
  await row(page, 'tone.wav').waitFor()
})
afterAll(async () => {
  await browser?.close()
})

describe('Briefcase previews', () => {
  it('plays audio in the preview', async () => {
    await row(page, 'tone.wav').dblclick()
    const player = page.getByRole('dialog', { name: 'tone.wav' }).locator('audio')
    await player.waitFor()
    // Resolves on the element's own event: the duration is known once the browser decoded the header.
    const duration = await player.evaluate(
      (el: HTMLAudioElement) =>
        new Promise<number>((resolve, reject) => {
          if (el.readyState >= 1) return resolve(el.duration)
          el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true })
          el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)), { once: true })
        }),
    )
    expect(duration).toBeCloseTo(0.5, 2)
    expect(await player.getAttribute('controls')).not.toBeNull()
    await close('tone.wav')
  })

  it('plays a video in the preview', async () => {
    await row(page, 'clip.webm').dblclick()
    const player = page.getByRole('dialog', { name: 'clip.webm' }).locator('video')
    await player.waitFor()
    const size = await player.evaluate(
      (el: HTMLVideoElement) =>
        new Promise<string>((resolve, reject) => {
          if (el.readyState >= 1) return resolve(`${el.videoWidth}x${el.videoHeight}`)
          el.addEventListener('loadedmetadata', () => resolve(`${el.videoWidth}x${el.videoHeight}`), { once: true })
          el.addEventListener('error', () => reject(new Error(`video error ${el.error?.code}`)), { once: true })
        }),
    )
    expect(size).toBe('64x48')
    await close('clip.webm')
  })

  it('opens a PDF in a new tab, as a PDF', async () => {
    await row(page, 'paper.pdf').dblclick()
    const link = page.getByRole('dialog', { name: 'paper.pdf' }).getByRole('link', { name: 'Open paper.pdf in a new tab' })
    await link.waitFor()
    const href = (await link.getAttribute('href')) ?? ''
    expect(href).toMatch(/^blob:/)
    const popup = page.waitForEvent('popup')
    await link.click()
    const tab = await popup
    expect(tab.url()).toBe(href)
    await tab.waitForLoadState()
    // Typed as a PDF, the blob opens as a PDF document (Chromium's viewer), not as a download or text.
    expect(await tab.evaluate(() => document.contentType)).toBe('application/pdf')
    await tab.close()
    await close('paper.pdf')
    expectNoErrors(app)
  })
})

describe('Briefcase handle and avatar', () => {
  const first = `first-${randomUUID().slice(0, 6)}`
  const second = `second-${randomUUID().slice(0, 6)}`
  const site = (handle: string, path = '/') => `http://${handle}.${cloud.config.sitesDomain}${path}`

  it('changes a claimed handle: the site moves to the new name and the old one is let go', async () => {
    await page.getByRole('link', { name: 'My site' }).click()
    const handleInput = page.getByRole('textbox', { name: 'Handle' })
    const check = page.getByTestId('handle-check')
    await handleInput.fill(first)
    await expect.poll(() => check.textContent()).toBe(`${first} is available.`)
    await page.getByRole('button', { name: 'Claim handle' }).click()
    await page.getByText(`Your site is now ${first}.`).waitFor()

    await handleInput.fill(second)
    await expect.poll(() => check.textContent()).toBe(`${second} is available.`)
    await page.getByRole('button', { name: 'Change handle' }).click()
    await page.getByText(`Your site is now ${second}.`).waitFor()
    await expect.poll(() => page.getByRole('link', { name: 'Open my site' }).getAttribute('href')).toBe(site(second))

    const visitor = await page.context().newPage()
    const now = await visitor.goto(site(second))
    expect(now?.status()).toBe(200)
    expect(await visitor.getByRole('heading', { name: 'My page' }).count()).toBe(1)
    const old = await visitor.goto(site(first))
    expect(old?.status()).toBe(404)
    await visitor.close()
    // The old name is free for anyone again.
    await handleInput.fill(first)
    await expect.poll(() => check.textContent()).toBe(`${first} is available.`)
    expectNoErrors(app)
  })

  it('takes the avatar from the public folder, or an uploaded picture, and shows it as visitors will', async () => {
    await page.getByRole('link', { name: 'Profile' }).click()
    const visitorView = page.getByRole('article', { name: 'Your profile as visitors see it' })
    const avatar = visitorView.getByRole('img', { name: /avatar/ })
    const picker = page.getByLabel('Avatar (an image in your public folder)')
    await picker.locator('option[value="/public/face.png"]').waitFor({ state: 'attached' })
    await picker.selectOption('/public/face.png')
    await expect.poll(() => avatar.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1)
    await page.getByRole('button', { name: 'Save profile' }).click()
    await expect.poll(() => page.getByRole('button', { name: 'Save profile' }).isEnabled()).toBe(true)
    const visitor = await page.context().newPage()
    const profileUrl = site(second, '/whimsy.space/profile.json')
    await expect.poll(async () => (await (await visitor.goto(profileUrl))?.json())?.avatar).toBe('/public/face.png')

    await page.getByLabel('Upload a picture…').setInputFiles([{ name: 'me.png', mimeType: 'image/png', buffer: PNG }])
    await expect.poll(() => picker.inputValue()).toMatch(/^\/public\/avatar-\d+\.png$/)
    const uploaded = await picker.inputValue()
    expect(await exists(uploaded)).toBe(true)
    await expect.poll(() => avatar.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1)
    await page.getByRole('button', { name: 'Save profile' }).click()
    await expect.poll(async () => (await (await visitor.goto(profileUrl))?.json())?.avatar).toBe(uploaded)
    // Visitors can load the picture the profile names.
    expect((await visitor.goto(site(second, uploaded.slice('/public'.length))))?.status()).toBe(200)
    await visitor.close()
    expectNoErrors(app)
  })
})
