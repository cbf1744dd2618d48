/**
 * Briefcase rows (issues 13 and 17): the app's bundle size, and in Chromium the time from loading
 * the app at a folder to its first rows and to the complete listing, for folders of 1,000,
 * 10,000 and 100,000 files (1,000 and 10,000 with --quick). Baseline: the same folder listed by
 * the SDK in Node (its first page; every page), so the ratio is what the browser and the app add.
 * The folders are the run's shared cloud's (`sharedCloud`), seeded in bulk once and reused by rounds.
 */
import { performance } from 'node:perf_hooks'
import { buildApp } from '../../packages/briefcase-app/scripts/build.js'
import { launchChromium } from '../../test/browser.js'
import { seededFolders, sharedCloud } from '../cloud.js'
import { type BenchOptions, type BenchRow, median, row, rowList } from '../rows.js'

const FIRST_PAGE = 200 // the app's first page, so rows show at once (packages/briefcase-app/src/state/folder.ts)

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const out = rowList(options)
  options.log('  building the app')
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
  const sizes = seededFolders(options.quick)
  // The 100,000-file listing takes about a minute in Chromium on the loaded machine: one round,
  // as long a measurement is not thrown off by a burst of load the way a second-long one is;
  // the 10,000-file folder (about 12 s) two, the 1,000-file one three.
  const roundsOf = (n: number) => (options.quick || n >= 100_000 ? 1 : n >= 10_000 ? 2 : 3)
  const { info, stop, user } = await sharedCloud(options.quick)
  const browser = await launchChromium().catch(async (e: unknown) => {
    await stop()
    throw e
  })
  try {
    const page = await browser.newPage()
    page.setDefaultTimeout(180_000)
    await page.goto(info.urls.app)
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
      options.log(`  ${n.toLocaleString('en-US')} files: ${roundsOf(n)} round${roundsOf(n) > 1 ? 's' : ''} in Chromium and in Node`)
      for (let r = 0; r < roundsOf(n); r++) {
        await page.goto('about:blank')
        const t0 = performance.now()
        await page.goto(`${info.urls.app}/#/files/f${n}`)
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
        row(
          `Briefcase: first rows of a ${label}-file folder in Chromium vs the SDK's first page in Node`,
          median(app.first),
          median(raw.first),
          'ms',
          roundsOf(n),
        ),
      )
      const sdkNote = app.sdk.length
        ? `of which awaiting fs.listPage in the page (network, signing, XML; the app's rendering overlaps it): ${Math.round(median(app.sdk))} ms`
        : undefined
      out.push(
        row(
          `Briefcase: the whole ${label}-file listing in Chromium vs the SDK listing it in Node`,
          median(app.all),
          median(raw.all),
          'ms',
          roundsOf(n),
          sdkNote,
        ),
      )
    }
  } finally {
    await browser.close()
    await stop()
  }
  return out
}
