/**
 * Briefcase rows (issues 13 and 17): the app's bundle size, and time to first rows and to the
 * full listing for 1,000, 10,000 and 100,000 files in Chromium.
 *
 * The slot for whoever builds the Briefcase: put a provider at `packages/briefcase-app/bench/briefcase.ts`
 * exporting `rows(options: BenchOptions): Promise<BenchRow[]>` (see `bench/rows.ts`) and this file hands
 * over to it. Seed the big folders with `seedObjects` (`bench/seed.ts`, straight into the local engine)
 * and keep them across rounds; start Chromium as the tests do (`test/browser.ts`). Until then every
 * figure is a row that says why it is missing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { repoRoot } from '../providers.js'
import { type BenchOptions, type BenchRow, type RowProvider, unavailable } from '../rows.js'

const APP = join(repoRoot, 'packages/briefcase-app')
const PROVIDER = join(APP, 'bench/briefcase.ts')
const DIST = join(APP, 'dist')
const FOLDERS = [1000, 10_000, 100_000]

const listingRows = (why: string): BenchRow[] =>
  FOLDERS.flatMap((n) => [
    unavailable(`Briefcase: time to first rows, ${n.toLocaleString('en-US')}-file folder in Chromium`, 'ms', why),
    unavailable(`Briefcase: time to the full listing, ${n.toLocaleString('en-US')}-file folder in Chromium`, 'ms', why),
  ])

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  if (existsSync(PROVIDER)) return ((await import(PROVIDER)) as { rows: RowProvider }).rows(options)
  if (!existsSync(DIST)) {
    const why = 'not available yet: the Briefcase has no build'
    return [unavailable('Briefcase: app bundle (without the SDK)', 'B gzip', why), ...listingRows(why)]
  }
  // A build but no provider yet: its size is known without one.
  const files = (readdirSync(DIST, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => /\.(js|css|html)$/.test(f))
  const gzip = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length, 0)
  return [
    {
      name: 'Briefcase: app bundle, every .js/.css/.html in packages/briefcase-app/dist',
      ours: gzip,
      baseline: null,
      ratio: null,
      unit: 'B gzip',
      rounds: 1,
      note: 'no baseline yet (issue 13 targets ≤ 60 kB gzip); includes the SDK if the build bundles it',
    },
    ...listingRows('not available yet: packages/briefcase-app/bench/briefcase.ts does not exist'),
  ]
}
