/** Measures N SDK writes through the gateway (8 at a time) and how long the change feed then needs to catch up (the stop waits for it). */
import { performance } from 'node:perf_hooks'
import { createUser } from '../test/users.js'
import { startBenchCloud } from './cloud.js'

const { info, stop } = await startBenchCloud()
const n = Number(process.env.N ?? 500)
const { createWhimsy, memoryStorage } = await import('@whimsy/sdk')
const user = await createUser(info, 'writer')
const sdk = createWhimsy(info.config, { storage: memoryStorage() })
await sdk.auth.signIn({ username: user.username, password: user.password })
const t = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < n) {
      const i = next++
      await sdk.fs.write(`/many/f${i}.txt`, String(i))
    }
  }),
)
const written = performance.now() - t
const t2 = performance.now()
await stop()
console.log(`wrote ${n} in ${Math.round(written)} ms; stop (feed drain) ${Math.round(performance.now() - t2)} ms`)
