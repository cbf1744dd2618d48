/** Measures listing a seeded folder through the gateway with the SDK, and in the engine alone; PROF=file writes a CPU profile of the listing phase. */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { performance } from 'node:perf_hooks'
import { createUser } from '../test/users.js'
import { startBenchCloud } from './cloud.js'
import { seedObjects } from './seed.js'

const { cloud, info, stop } = await startBenchCloud()
try {
  const user = await createUser(info, 'prof')
  const t = performance.now()
  await seedObjects(cloud, { prefix: `${user.identityId}/f10000/`, count: Number(process.env.N ?? 10000), parallel: 32 })
  console.log(`seeded in ${Math.round(performance.now() - t)} ms`)
  const { createWhimsy, memoryStorage } = await import('@whimsy/sdk')
  const sdk = createWhimsy(info.config, { storage: memoryStorage() })
  await sdk.auth.signIn({ username: user.username, password: user.password })
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  if (process.env.PROF) await session.post('Profiler.start')
  for (let round = 0; round < 3; round++) {
    const t2 = performance.now()
    let n = 0
    for await (const _ of sdk.fs.list('/f10000')) n++
    console.log(`round ${round}: listed ${n} in ${Math.round(performance.now() - t2)} ms`)
  }
  // engine alone
  for (let round = 0; round < 2; round++) {
    const t3 = performance.now()
    let after: string | undefined
    let pages = 0
    for (;;) {
      const r = await cloud.engine.listObjects({
        bucket: cloud.config.bucket,
        prefix: `${user.identityId}/f10000/`,
        delimiter: '/',
        maxKeys: 1000,
        ...(after ? { after } : {}),
      } as never)
      pages++
      if (!(r as { isTruncated: boolean }).isTruncated) break
      after = (r as { lastReturned: string }).lastReturned
    }
    console.log(`engine: ${pages} pages in ${Math.round(performance.now() - t3)} ms`)
  }
  if (process.env.PROF) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(process.env.PROF, JSON.stringify(profile))
  }
} finally {
  await stop()
}
