/**
 * Storage used (issue 13): `fs.usage()` answered from the change feed's totals (one GetItem)
 * against counting by listing the whole tree (what it did before, and still does where a log
 * keeps no totals), for a user with 2,000 files (500 with --quick). The files are seeded
 * straight into the engine (`bench/seed.ts`), whose change events feed the writer as any write.
 * Most of this provider's time is the writer absorbing those events (the cloud's stop waits for
 * it): 10,000 took 294 s at load 16, more than the whole run may spend, hence 2,000 — the totals
 * are one request at any size, while listing costs one page per 1,000 files.
 */
import { performance } from 'node:perf_hooks'
import { createUser } from '../../test/users.js'
import { startBenchCloud } from '../cloud.js'
import { type BenchOptions, type BenchRow, interleaved, median, row, rowList } from '../rows.js'
import { seedObjects } from '../seed.js'

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const out = rowList(options)
  const n = options.quick ? 500 : 2000
  const rounds = options.quick ? 3 : 5
  const { cloud, info, stop } = await startBenchCloud()
  try {
    const user = await createUser(info, 'bench-usage')
    const t = performance.now()
    await seedObjects(cloud, { prefix: `${user.identityId}/tree/`, count: n, name: (i) => `${i % 50}/f${i}.txt`, parallel: 32 })
    const { createWhimsy, memoryStorage } = await import('@whimsy/sdk')
    const sdk = createWhimsy(info.config, { storage: memoryStorage() })
    await sdk.auth.signIn({ username: user.username, password: user.password })
    // Timed once the writer has logged every seeded file (the log's head reaches n): while it is
    // still absorbing them, both sides queue behind its calls and the figures say little.
    for (let wait = 50; (await sdk.changes.head()) < n; wait = Math.min(1000, wait * 2)) {
      if (performance.now() - t > 180_000) throw new Error('the change feed had not logged the seeded files within 3 minutes')
      await new Promise((r) => setTimeout(r, wait))
    }
    const counted = await sdk.fs.usage()
    if (counted.files !== n) throw new Error(`the totals say ${counted.files} files of ${n}`)
    options.log(`seeded ${n} files in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    const listing = async () => {
      let bytes = 0
      let files = 0
      for await (const entry of sdk.fs.list('/', { recursive: true })) {
        bytes += entry.size
        files++
      }
      if (files !== n) throw new Error(`listed ${files} of ${n} files`)
      return { bytes, files }
    }
    const times = await interleaved(rounds, () => sdk.fs.usage(), listing, 1)
    const label = n.toLocaleString('en-US')
    out.push(
      row(
        `fs.usage() of ${label} files: the change feed's totals vs listing the tree`,
        median(times.ours),
        median(times.baseline),
        'ms',
        rounds,
        `requests: 1 GetItem vs ${Math.ceil(n / 1000)} ListObjectsV2 pages (one per 1,000 files); timed after the feed logged every seeded file`,
      ),
    )
  } finally {
    await stop()
  }
  return out
}
