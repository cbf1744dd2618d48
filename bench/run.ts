/**
 * `npm run bench [-- --quick] [-- --only=<part of a module path>]`: runs every row provider
 * (`providers.ts`) one after another, each in a child process of its own, prints one table, and
 * writes `bench/results/latest.json` (the row array) and `latest.md`. A provider that fails or
 * overruns its time becomes a row with a note (an overrun one is stopped, with its local cloud,
 * by its process group); the run always ends with exit code 0: benchmarks report, they never
 * fail a build.
 */
import { fork } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { type CloudProcess, SHARED_CLOUD_ENV, seededFolders, startCloudProcess } from './cloud.js'
import type { ProviderMessage } from './provider-process.js'
import { PROVIDERS, type ProviderEntry, repoRoot } from './providers.js'
import { type GroupInfo, markdownReport, markdownTable, readmeBlock } from './report.js'
import { type BenchRow, unavailable } from './rows.js'

const quick = process.argv.includes('--quick')
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
// Stop-gaps, not targets: a provider that hangs or crawls must not hold the rest hostage. Each
// may take up to PROVIDER_LIMIT, and never so much of the run's BUDGET that the providers after
// it would have less than RESERVE each; a provider past its limit is stopped and keeps the rows
// it had. (Splitting the budget by expected weights instead cut rows that were merely slow on a
// loaded machine.) BENCH_BUDGET_S / BENCH_PROVIDER_LIMIT_S change them.
const PROVIDER_LIMIT_MS = Number(process.env.BENCH_PROVIDER_LIMIT_S ?? (quick ? 120 : 300)) * 1000
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? (quick ? 480 : 900)) * 1000
const RESERVE_MS = 20_000
const log = (line: string) => process.stderr.write(`${line}\n`)

/** Removes a provider's temporary directory; a stopped browser may still be writing into it, which must not end the run. */
function removeTemp(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  } catch (e) {
    log(`  (could not remove ${dir}: ${(e as Error).message})`)
  }
}

function runProvider(entry: ProviderEntry, limitMs: number, env: Record<string, string>): Promise<BenchRow[]> {
  const script = fileURLToPath(new URL('./provider-process.ts', import.meta.url))
  // A temporary directory of its own: what a stopped provider could not clean up goes with it.
  const tmp = mkdtempSync(join(tmpdir(), 'whimsy-bench-run-'))
  const child = fork(script, [entry.module, ...(quick ? ['--quick'] : [])], {
    execArgv: ['--import', 'tsx'],
    detached: true,
    stdio: 'inherit',
    env: { ...process.env, ...env, TMPDIR: tmp },
  })
  const fail = (why: string) => [unavailable(entry.title, '', why)]
  return new Promise((resolve) => {
    let answer: BenchRow[] | undefined
    const measured: BenchRow[] = []
    const timer = setTimeout(() => {
      // The rows measured before the limit stay; one more says where it stopped.
      answer ??= [
        ...measured,
        unavailable(
          `${entry.title}: the rest`,
          '',
          `stopped after ${measured.length} row${measured.length === 1 ? '' : 's'}: overran its ${(limitMs / 1000).toFixed(0)} s limit`,
        ),
      ]
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {
        // already gone
      }
    }, limitMs)
    child.on('message', (m: ProviderMessage) => {
      if ('measured' in m) measured.push(m.measured)
      else if ('rows' in m) answer = m.rows
      else if ('unavailable' in m) answer = entry.optional ? [] : fail(m.unavailable)
      else answer = fail(`failed: ${m.error}`)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      // Whatever the provider left running (an emulator it did not stop) goes with its group.
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {
        // nothing left
      }
      removeTemp(tmp)
      resolve(answer ?? fail(`failed: its process ended (${signal ?? `code ${code}`}) without rows`))
    })
  })
}

const started = new Date()
const loadAtStart = loadavg()
const t0 = performance.now()
const all: BenchRow[] = []
const groups: GroupInfo[] = []
// Another helper's provider that is not there yet costs no process start.
const chosen = PROVIDERS.filter((entry) => (!only || entry.module.includes(only)) && !(entry.optional && !existsSync(`${repoRoot}${entry.module}`)))
// One cloud for the providers that share it, its folders seeded in bulk once: started before the
// first of them, stopped after the last. If it cannot start, each starts and seeds its own.
const lastSharing = chosen.findLastIndex((entry) => entry.sharedCloud)
let shared: CloudProcess | undefined
let starting: Promise<void> | undefined
const startShared = () => {
  const t = performance.now()
  starting ??= startCloudProcess([`--seed=${seededFolders(quick).join(',')}`]).then(
    (cloud) => {
      shared = cloud
      log(`the shared cloud is up, ${seededFolders(quick).join(' + ')} files seeded in bulk: ${((performance.now() - t) / 1000).toFixed(1)} s`)
    },
    (e: unknown) => {
      log(`the shared cloud did not start (${(e as Error).message}): each provider starts its own`)
    },
  )
  return starting
}
const SHARED_START_LIMIT_MS = 300_000
const sharedEnv = async (): Promise<Record<string, string>> => {
  // A start that hangs must not hold the run: past the limit the providers start their own.
  const limit = new AbortController()
  await Promise.race([startShared(), sleep(SHARED_START_LIMIT_MS, undefined, { signal: limit.signal }).catch(() => undefined)])
  limit.abort()
  if (!shared) log('  (no shared cloud: this provider starts its own)')
  return shared ? { [SHARED_CLOUD_ENV]: JSON.stringify(shared.info) } : {}
}
for (const [index, entry] of chosen.entries()) {
  // Rows of sizes are not thrown off by the seeding's CPU: the shared cloud starts beside them.
  if (entry.untimed && lastSharing >= 0) void startShared()
  const env = entry.sharedCloud ? await sharedEnv() : {}
  log(`${entry.title} (${entry.module})`)
  const t = performance.now()
  const loadBefore = loadavg()[0] as number
  const left = BUDGET_MS - (t - t0)
  const rows =
    left < 5000
      ? [unavailable(entry.title, '', `not run: the run's ${BUDGET_MS / 1000} s budget was spent (BENCH_BUDGET_S raises it)`)]
      : await runProvider(entry, Math.min(PROVIDER_LIMIT_MS, left - RESERVE_MS * (chosen.length - index - 1)), env)
  if (entry.optional && rows.length === 0) log('  (not there yet: skipped)')
  for (const r of rows) all.push({ ...r, group: entry.title })
  groups.push({ title: entry.title, issues: entry.issues, seconds: (performance.now() - t) / 1000, load: [loadBefore, loadavg()[0] as number] })
  log(`  ${((performance.now() - t) / 1000).toFixed(1)} s`)
  if (index === lastSharing) await shared?.stop()
}
await shared?.stop()

const seconds = (performance.now() - t0) / 1000
const info = { started, seconds, quick, loadAtStart, load: loadavg(), cpus: availableParallelism(), node: process.versions.node, groups }
console.log(`\n${markdownTable(all)}\n`)
console.log(`${seconds.toFixed(0)} s, load average ${info.load.map((l) => l.toFixed(2)).join(' ')}`)
if (!only) {
  const dir = `${repoRoot}bench/results`
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}/latest.json`, `${JSON.stringify(all, null, 2)}\n`)
  writeFileSync(`${dir}/latest.md`, markdownReport(all, info))
  console.log('written: bench/results/latest.json, bench/results/latest.md')
  if (process.argv.includes('--readme')) {
    const readme = `${repoRoot}README.md`
    const text = readFileSync(readme, 'utf8')
    const start = text.indexOf('<!-- bench:start -->')
    const end = text.indexOf('<!-- bench:end -->')
    if (start < 0 || end < 0) console.log('README.md has no bench:start / bench:end markers: left as it is')
    else {
      writeFileSync(readme, `${text.slice(0, start)}<!-- bench:start -->\n${readmeBlock(all, info)}\n${text.slice(end)}`)
      console.log('written: the table in README.md')
    }
  }
}
