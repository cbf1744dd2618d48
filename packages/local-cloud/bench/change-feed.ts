/**
 * The change feed's figures (issue 15): write-to-delivery latency on localhost (a write on one
 * device until the other device's `whimsy.changes` callback has it, through the real writer,
 * log and socket), against the write's own round trip; and the production cost per active user
 * per month from published prices (stated below, not verified against AWS's pages today).
 *
 * `changeFeedBench()` returns rows for the bench runner (`npm run bench`); run alone
 * (`npx tsx packages/local-cloud/bench/change-feed.ts`) it prints them.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { type ChangeEvent, createWhimsy, memoryStorage, type WebSocketConstructor, type Whimsy } from '@whimsy/sdk'
import WebSocket from 'ws'
import type { BenchOptions, BenchRow } from '../../../bench/rows.js'
import { latestCode, PASSWORD } from '../../../test/users.js'
import { startLocalCloud } from '../src/index.js'

/**
 * Prices used (USD, us-east-1, on-demand), as published when this was written; UNVERIFIED.
 * AppSync Events: $1.00 per million Event API operations (each publish, each delivery to a
 * subscriber), $0.08 per million connection-minutes. API Gateway WebSockets: $1.00 per million
 * messages, $0.25 per million connection-minutes. Lambda (arm64): $0.20 per million requests,
 * $0.0000133334 per GB-second. DynamoDB on demand: $0.625 per million write request units,
 * $0.125 per million read request units. DynamoDB Streams read by Lambda: no charge.
 */
export const PRICES = {
  appsyncOperation: 1.0e-6,
  appsyncConnectionMinute: 0.08e-6,
  apigwMessage: 1.0e-6,
  apigwConnectionMinute: 0.25e-6,
  lambdaRequest: 0.2e-6,
  lambdaGbSecond: 0.0000133334,
  ddbWrite: 0.625e-6,
  ddbRead: 0.125e-6,
}

/** An active user's month, assumed: 2,000 changes, two devices online 4 hours a day. */
export const ACTIVE_USER = { changes: 2000, devices: 2, onlineMinutes: 4 * 60 * 30, sessions: 4 * 30 }

/** USD per active user per month: the feed as built (AppSync Events) and with API Gateway WebSockets instead. */
export function monthlyCost(u = ACTIVE_USER, p = PRICES): { appsync: number; apigw: number } {
  // Per change, either way: one writer invocation (256 MB, ~50 ms), its DynamoDB calls (writer.ts,
  // one S3 event per invocation: head update with the write-ahead record, entry put, key-head put,
  // pending removal = 4 writes; head get, key-head get = 2 strong reads), and each device's read
  // of the log after the ring (1 strong read).
  const writer = p.lambdaRequest + 0.25 * 0.05 * p.lambdaGbSecond + 4 * p.ddbWrite + 2 * p.ddbRead + u.devices * p.ddbRead
  const appsync = u.changes * (writer + (1 + u.devices) * p.appsyncOperation) + u.devices * u.onlineMinutes * p.appsyncConnectionMinute
  // WebSockets: the writer also looks the user's connections up (1 read) and posts to each; a
  // $connect and a $disconnect function per session each write the connections table.
  const sessions = u.sessions * u.devices * 2 * (p.lambdaRequest + p.ddbWrite)
  const apigw = u.changes * (writer + p.ddbRead + u.devices * p.apigwMessage) + u.devices * u.onlineMinutes * p.apigwConnectionMinute + sessions
  return { appsync, apigw }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

async function device(config: Parameters<typeof createWhimsy>[0], username: string): Promise<Whimsy> {
  const whimsy = createWhimsy(config, {
    storage: memoryStorage(),
    changes: { WebSocket: WebSocket as unknown as WebSocketConstructor, pollIntervalMs: 3_600_000 },
  })
  await whimsy.auth.signIn({ username, password: PASSWORD })
  return whimsy
}

export async function changeFeedBench(options: { rounds?: number } = {}): Promise<BenchRow[]> {
  const rounds = options.rounds ?? Number(process.env.BENCH_ROUNDS ?? 100)
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-feed-'))
  const cloud = await startLocalCloud({ dataDir })
  try {
    const info = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }
    const username = `bench-${randomUUID().slice(0, 8)}`
    const signup = createWhimsy(cloud.config, { storage: memoryStorage() })
    await signup.auth.signUp({ username, email: `${username}@example.com`, password: PASSWORD })
    await signup.auth.confirmSignUp({ username, code: await latestCode(info, username) })
    const [laptop, phone] = await Promise.all([device(cloud.config, username), device(cloud.config, username)])

    let waiting: ((event: ChangeEvent) => void) | undefined
    const stop = phone.changes.subscribe((event) => waiting?.(event), { since: await phone.changes.head() })
    const measure = async (write: (i: number) => Promise<unknown>) => {
      const delivery: number[] = []
      const own: number[] = []
      for (let i = -10; i < rounds; i++) {
        const arrived = new Promise<void>((resolve) => {
          waiting = () => resolve()
        })
        const t0 = performance.now()
        await write(i)
        const t1 = performance.now()
        await arrived
        const t2 = performance.now()
        if (i >= 0) {
          delivery.push(t2 - t0)
          own.push(t1 - t0)
        }
      }
      return { delivery: delivery.sort((a, b) => a - b), own: own.sort((a, b) => a - b) }
    }
    const kv = await measure((i) => laptop.kv.set(`bench/${i % 20}`, i))
    const body = new Uint8Array(1024)
    const files = await measure((i) => laptop.fs.write(`/bench/${i % 20}.bin`, body))
    stop()
    laptop.changes.close()
    phone.changes.close()

    const rows: BenchRow[] = []
    for (const [what, m] of [
      ['kv.set', kv],
      ['fs.write 1 KiB', files],
    ] as const)
      for (const [label, q] of [
        ['p50', 0.5],
        ['p99', 0.99],
      ] as const) {
        const ours = percentile(m.delivery, q)
        const baseline = percentile(m.own, q)
        rows.push({
          name: `change feed: ${what} write-to-delivery on the other device, ${label} (baseline: the write's own round trip)`,
          ours,
          baseline,
          ratio: ours / baseline,
          unit: 'ms',
          rounds,
        })
      }
    const cost = monthlyCost()
    rows.push({
      name: 'change feed: production cost per active user per month, AppSync Events (baseline: API Gateway WebSockets); published prices, unverified',
      ours: cost.appsync,
      baseline: cost.apigw,
      ratio: cost.appsync / cost.apigw,
      unit: 'USD',
      rounds: 1,
    })
    return rows
  } finally {
    await cloud.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** `npm run bench`'s entry (bench/providers.ts): fewer rounds than the standalone default, p99 of 40 still says the tail. */
export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const rows = await changeFeedBench({ rounds: options.quick ? 20 : 40 })
  for (const r of rows) options.measured?.(r)
  return rows
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await changeFeedBench()
  console.log('| figure | ours | baseline | ratio | unit | rounds |')
  console.log('|---|---:|---:|---:|---|---:|')
  for (const r of rows)
    console.log(`| ${r.name} | ${r.ours?.toPrecision(4)} | ${r.baseline?.toPrecision(4)} | ${r.ratio?.toFixed(2)} | ${r.unit} | ${r.rounds} |`)
}
