/**
 * `npm run bench` (Briefcase rows): in Chromium, the time from loading the app at a folder to its
 * first rows, and to the complete listing, for folders of 1,000 and 10,000 files (and 100,000
 * with `--full`). Starts its own local cloud; folders are seeded in bulk through the S3 API with
 * a user's credentials, many requests in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { startLocalCloud } from '@whimsy/local-cloud'
import { launchChromium } from '../../../../test/browser.js'
import { createUser } from '../../../../test/users.js'

const sizes = process.argv.includes('--full') ? [1000, 10_000, 100_000] : [1000, 10_000]
const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-briefcase-'))
const cloud = await startLocalCloud({ dataDir })
const info = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }
try {
  const user = await createUser(info, 'bench')
  for (const n of sizes) {
    const started = performance.now()
    const keys = Array.from({ length: n }, (_, i) => `${user.identityId}/f${n}/file-${String(i).padStart(6, '0')}.txt`)
    let next = 0
    await Promise.all(
      Array.from({ length: 48 }, async () => {
        while (next < keys.length) {
          const key = keys[next++] as string
          await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: key, Body: 'x' }))
        }
      }),
    )
    console.log(`seeded ${n.toLocaleString('en-US')} files in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  const browser = await launchChromium()
  const page = await browser.newPage()
  page.setDefaultTimeout(120_000)
  await page.goto(cloud.urls.app)
  await page.getByLabel('Username').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Folder path' }).waitFor()
  const rows: string[] = []
  for (const n of sizes) {
    const runs: { first: number; all: number }[] = []
    for (let round = 0; round < 3; round++) {
      await page.goto('about:blank')
      const t0 = performance.now()
      await page.goto(`${cloud.urls.app}/#/files/f${n}`)
      await page.locator('.file-row').first().waitFor()
      const first = performance.now() - t0
      await page.getByText(`${n.toLocaleString('en-US')} items`, { exact: true }).waitFor()
      runs.push({ first, all: performance.now() - t0 })
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
    rows.push(
      `| Briefcase: ${n.toLocaleString('en-US')} files | first rows ${median(runs.map((r) => r.first)).toFixed(0)} ms | whole listing ${median(runs.map((r) => r.all)).toFixed(0)} ms | DOM rows ${await page.locator('.file-row').count()} |`,
    )
  }
  await browser.close()
  console.log('\nload → first rows / whole listing, Chromium, median of 3:')
  for (const r of rows) console.log(r)
} finally {
  await cloud.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
