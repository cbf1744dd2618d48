/**
 * Briefcase rows (issues 13 and 17): the app's bundle size, and in Chromium the time from loading
 * the app at a folder to its first rows and to the complete listing, for folders of 1,000,
 * 10,000 and 100,000 files (1,000 and 10,000 with --quick). Baseline: the same folder listed by
 * the SDK in Node (its first page; every page), so the ratio is what the browser and the app add.
 * Folders are seeded straight into the local engine (`bench/seed.ts`) once and reused by rounds.
 */
import { performance } from 'node:perf_hooks'
import { buildApp } from '../../packages/briefcase-app/scripts/build.js'
import { launchChromium } from '../../test/browser.js'
import { createUser } from '../../test/users.js'
import { startBenchCloud } from '../cloud.js'
import { type BenchOptions, type BenchRow, median, row, rowList } from '../rows.js'
import { seedObjects } from '../seed.js'

const FIRST_PAGE = 200 // the app's first page, so rows show at once (packages/briefcase-app/src/state/folder.ts)

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const out = rowList(options)
  const build = await buildApp()
  out.push({
    name: 'Briefcase: app bundle without the SDK (target ≤ 60 kB)',
    ours: build.appGzip,
    baseline: 60_000,
    ratio: build.appGzip / 60_000,
    unit: 'B gzip',
    rounds: 1,
    note: `app.js with the SDK: ${build.jsGzip} B gzip; app.css ${build.cssGzip} B`,
  })
  const sizes = options.quick ? [1000, 10_000] : [1000, 10_000, 100_000]
  const rounds = options.quick ? 1 : 3
  const { cloud, info, stop } = await startBenchCloud()
  const browser = await launchChromium()
  try {
    const user = await createUser(info, 'bench')
    for (const n of sizes) {
      const t = performance.now()
      await seedObjects(cloud, { prefix: `${user.identityId}/f${n}/`, count: n, parallel: 32 })
      options.log(`seeded ${n} files in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    }
    const page = await browser.newPage()
    page.setDefaultTimeout(180_000)
    await page.goto(cloud.urls.app)
    await page.getByLabel('Username').fill(user.username)
    await page.getByLabel('Password').fill(user.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('navigation', { name: 'Folder path' }).waitFor()
    const { createWhimsy, memoryStorage } = await import('@whimsy/sdk')
    const sdk = createWhimsy(info.config, { storage: memoryStorage() })
    await sdk.auth.signIn({ username: user.username, password: user.password })
    for (const n of sizes) {
      const app = { first: [] as number[], all: [] as number[], sdk: [] as number[] }
      const raw = { first: [] as number[], all: [] as number[] }
      for (let r = 0; r < rounds; r++) {
        await page.goto('about:blank')
        const t0 = performance.now()
        await page.goto(`${cloud.urls.app}/#/files/f${n}`)
        await page.locator('.file-row').first().waitFor()
        app.first.push(performance.now() - t0)
        await page.getByText(`${n.toLocaleString('en-US')} items`, { exact: true }).waitFor()
        app.all.push(performance.now() - t0)
        // The app's own measure (packages/briefcase-app/src/state/folder.ts): time spent awaiting fs.listPage.
        const inSdk = await page.evaluate(() => (performance.getEntriesByName('briefcase:listing').at(-1) as PerformanceMeasure | undefined)?.detail?.sdkMs)
        if (typeof inSdk === 'number') app.sdk.push(inSdk)
        const t1 = performance.now()
        await sdk.fs.listPage(`/f${n}`, { pageSize: FIRST_PAGE })
        raw.first.push(performance.now() - t1)
        const t2 = performance.now()
        let listed = 0
        for await (const _ of sdk.fs.list(`/f${n}`)) listed++
        raw.all.push(performance.now() - t2)
        if (listed !== n) throw new Error(`the SDK listed ${listed} of ${n} files`)
      }
      const label = n.toLocaleString('en-US')
      out.push(
        row(`Briefcase: first rows of a ${label}-file folder in Chromium vs the SDK's first page in Node`, median(app.first), median(raw.first), 'ms', rounds),
      )
      const sdkNote = app.sdk.length
        ? `of which awaiting fs.listPage in the page (network, signing, XML; the app's rendering overlaps it): ${Math.round(median(app.sdk))} ms`
        : undefined
      out.push(
        row(`Briefcase: the whole ${label}-file listing in Chromium vs the SDK listing it in Node`, median(app.all), median(raw.all), 'ms', rounds, sdkNote),
      )
    }
  } finally {
    await browser.close()
    await stop()
  }
  return out
}
