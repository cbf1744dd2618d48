/**
 * Storage used (issue 13): `fs.usage()` answered from the change feed's totals (one GetItem)
 * against counting by listing the whole tree (what it did before, and still does where a log
 * keeps no totals), for a user with 10,000 files (1,000 with --quick). The files are seeded
 * straight into the engine (`bench/seed.ts`), whose change events feed the writer as any write.
 * Most of this provider's time is the writer absorbing those 10,000 events (the cloud's stop
 * waits for it): 294 s in all, measured once at load 16 on the shared 2-core machine.
 */
import { performance } from 'node:perf_hooks'
import { createUser } from '../../test/users.js'
import { startBenchCloud } from '../cloud.js'
import { type BenchOptions, type BenchRow, interleaved, median, row, rowList } from '../rows.js'
import { seedObjects } from '../seed.js'

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const out = rowList(options)
  const n = options.quick ? 1000 : 10_000
  const rounds = options.quick ? 3 : 5
  const { cloud, info, stop } = await startBenchCloud()
  try {
    const user = await createUser(info, 'bench-usage')
    const t = performance.now()
    await seedObjects(cloud, { prefix: `${user.identityId}/tree/`, count: n, name: (i) => `${i % 50}/f${i}.txt`, parallel: 32 })
    const { createWhimsy, memoryStorage } = await import('@whimsy/sdk')
    const sdk = createWhimsy(info.config, { storage: memoryStorage() })
    await sdk.auth.signIn({ username: user.username, password: user.password })
    // The read of the totals is one GetItem whatever they say, so it is timed without waiting for
    // the writer to count all seeded files (minutes on a busy machine; usage.test.ts checks the
    // figures). Both sides run under the same background load of the writer catching up.
    for (let wait = 50; !(await sdk.fs.usage()).files; wait = Math.min(1000, wait * 2)) {
      if (performance.now() - t > 120_000) throw new Error('the change feed kept no totals within 2 minutes')
      await new Promise((r) => setTimeout(r, wait))
    }
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
        `requests: 1 GetItem vs ${Math.ceil(n / 1000)} ListObjectsV2 pages; timed while the feed was still counting the seeded files`,
      ),
    )
  } finally {
    await stop()
  }
  return out
}
