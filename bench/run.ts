/**
 * `npm run bench [-- --quick]`: calls every row provider (`providers.ts`) one after another,
 * prints one table, and writes `bench/results/latest.json` (the row array) and `latest.md`.
 * A provider that fails or overruns its time becomes a row with a note; the run always ends
 * with exit code 0 — benchmarks report, they never fail a build.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { loadProvider, PROVIDERS, repoRoot } from './providers.js'
import { markdownReport, markdownTable } from './report.js'
import { type BenchOptions, type BenchRow, unavailable } from './rows.js'

const quick = process.argv.includes('--quick')
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
// Past this a provider is reported as overrun and the run goes on: the whole must fit 10 minutes (2 with --quick).
const PROVIDER_LIMIT_MS = (quick ? 60 : 240) * 1000

const options: BenchOptions = { quick, log: (line) => process.stderr.write(`${line}\n`) }
const started = new Date()
const t0 = performance.now()
const all: BenchRow[] = []

for (const entry of PROVIDERS) {
  if (only && !entry.module.includes(only)) continue
  options.log(`${entry.title} (${entry.module})`)
  const t = performance.now()
  let rows: BenchRow[]
  try {
    const provider = await loadProvider(entry)
    if (typeof provider === 'string') rows = entry.optional ? [] : [unavailable(entry.title, '', provider)]
    else {
      let timer: NodeJS.Timeout | undefined
      const overrun = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`overran its ${PROVIDER_LIMIT_MS / 1000} s limit`)), PROVIDER_LIMIT_MS)
      })
      try {
        rows = await Promise.race([provider(options), overrun])
      } finally {
        clearTimeout(timer)
      }
    }
  } catch (e) {
    rows = [unavailable(entry.title, '', `failed: ${(e as Error).message.split('\n')[0]}`)]
  }
  if (entry.optional && rows.length === 0) options.log('  (not there yet: skipped)')
  for (const r of rows) all.push({ ...r, group: entry.title })
  options.log(`  ${((performance.now() - t) / 1000).toFixed(1)} s`)
}

const seconds = (performance.now() - t0) / 1000
const info = { started, seconds, quick, load: loadavg(), cpus: availableParallelism(), node: process.versions.node }
console.log(`\n${markdownTable(all)}\n`)
console.log(`${seconds.toFixed(0)} s, load average ${info.load.map((l) => l.toFixed(2)).join(' ')}`)
if (!only) {
  const dir = `${repoRoot}bench/results`
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}/latest.json`, `${JSON.stringify(all, null, 2)}\n`)
  writeFileSync(`${dir}/latest.md`, markdownReport(all, info))
  console.log('written: bench/results/latest.json, bench/results/latest.md')
}
// A provider that overran may still hold servers open; its cloud dies with this process.
process.exit(0)
