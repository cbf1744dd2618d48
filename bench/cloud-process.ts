/**
 * The local cloud in a process of its own: for benchmarks that measure the client's memory, and
 * for the cloud `run.ts` shares between providers. Prints one JSON line (the `CloudInfo` tests
 * get, plus the seeded folders' owner when `--seed=1000,10000` asks for folders `/f1000`,
 * `/f10000` seeded in bulk), serves until stdin closes or SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalCloud } from '@whimsy/local-cloud'
import { startSeededCloud } from './cloud.js'

const seed = process.argv
  .find((a) => a.startsWith('--seed='))
  ?.slice('--seed='.length)
  .split(',')
  .map(Number)
let stop: () => Promise<void>
if (seed) {
  const seeded = await startSeededCloud('bench', (id) => seed.map((n) => ({ prefix: `${id}/f${n}/`, count: n })))
  console.log(JSON.stringify({ ...seeded.info, seeded: { ...seeded.user, folders: seed } }))
  stop = seeded.stop
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-child-'))
  const cloud = await startLocalCloud({ dataDir })
  console.log(JSON.stringify({ config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }))
  stop = async () => {
    await cloud.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
const end = () => void stop().then(() => process.exit(0))
process.stdin.resume()
process.stdin.on('end', end)
process.on('SIGTERM', end)
