/**
 * Every row provider `npm run bench` calls, in order. A provider module exports
 * `rows(options: BenchOptions): Promise<BenchRow[]>` (see `rows.ts`); a module that is not there
 * yet (another helper's) or that throws becomes one row with a note, never a missing line.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { RowProvider } from './rows.js'

export interface ProviderEntry {
  title: string
  /** Relative to the repository root. */
  module: string
  /** Absent modules are skipped silently only if optional (another helper's file that may not exist). */
  optional?: boolean
  /** The issues whose claims its rows check (the README groups the table by them). */
  issues?: number[]
  /** Its rows are sizes, not times: the shared cloud may start and seed while it runs. */
  untimed?: boolean
  /** Uses the run's shared cloud (`sharedCloud()` in `cloud.ts`): one start and one bulk seeding for all of them. */
  sharedCloud?: boolean
}

// The four that share the run's cloud run one after another, so it is up only while they run.
export const PROVIDERS: ProviderEntry[] = [
  { title: 'SDK size (esbuild, minified, gzip -9)', module: 'bench/providers/sdk-size.ts', issues: [12, 17], untimed: true },
  {
    title: 'SDK overhead, files: whimsy.fs vs the raw S3 client, same endpoint and credentials',
    module: 'packages/sdk/bench/fs-vs-raw.ts',
    issues: [17],
    sharedCloud: true,
  },
  {
    title: 'SDK overhead, key-value data: whimsy.kv vs the raw DynamoDB client, same endpoint and credentials',
    module: 'packages/sdk/bench/kv-vs-raw.ts',
    issues: [17],
    sharedCloud: true,
  },
  { title: 'Briefcase', module: 'bench/providers/briefcase.ts', issues: [13, 17], sharedCloud: true },
  { title: 'Large files: whimsy.fs vs one raw PutObject / GetObject', module: 'packages/sdk/bench/large-files.ts', issues: [17], sharedCloud: true },
  { title: 'User sites', module: 'packages/subdomain-proxy/bench/site-edge.ts', issues: [17] },
  { title: 'Local cloud: boot, and the gateway vs the store called directly', module: 'packages/local-cloud/bench/gateway-overhead.ts', issues: [17] },
  { title: 'Live sync (change feed)', module: 'packages/local-cloud/bench/change-feed.ts', issues: [15] },
  { title: 'Storage used: fs.usage() from the change feed’s totals vs listing', module: 'bench/providers/usage.ts', issues: [13, 15] },
  // Last: the engine against the emulator it replaced, the one comparison issue 17 does not list.
  { title: 'S3 engine (behind the gateway) vs s3rver 3.7.1', module: 'packages/local-cloud/bench/s3-engine.ts', issues: [11] },
]

export const repoRoot = fileURLToPath(new URL('..', import.meta.url))

export async function loadProvider(entry: ProviderEntry): Promise<RowProvider | string> {
  const path = `${repoRoot}${entry.module}`
  if (!existsSync(path)) return `not available yet: ${entry.module} does not exist`
  const mod = (await import(path)) as Record<string, unknown>
  // `rows` by convention; a module written before the convention may export one function under another name.
  const functions = Object.values(mod).filter((v) => typeof v === 'function')
  const provider = mod.rows ?? mod.default ?? (functions.length === 1 ? functions[0] : undefined)
  if (typeof provider !== 'function') return `${entry.module} exports no rows(options) function`
  return provider as RowProvider
}
