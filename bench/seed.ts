/**
 * Bulk seeding for large folders (10,000 and 100,000 files): objects written straight into the
 * local cloud's S3 engine, under the gateway, so seeding costs no signatures or HTTP and a
 * folder can be reused across rounds. Listings through the gateway see them as any others.
 */
import { Readable } from 'node:stream'
import type { LocalCloud } from '@whimsy/local-cloud'

export interface SeedOptions {
  /** Key prefix, e.g. `${identityId}/big/` (ends in `/` for a folder). */
  prefix: string
  count: number
  /** File name of the i-th object; default `f000042.txt`. */
  name?: (i: number) => string
  body?: Buffer
  contentType?: string
  /** Writes in flight at once. */
  parallel?: number
}

export async function seedObjects(cloud: LocalCloud, options: SeedOptions): Promise<void> {
  const body = options.body ?? Buffer.from('x')
  const name = options.name ?? ((i: number) => `f${String(i).padStart(6, '0')}.txt`)
  let next = 0
  await Promise.all(
    Array.from({ length: options.parallel ?? 16 }, async () => {
      while (next < options.count) {
        const i = next++
        await cloud.engine.putObject({
          bucket: cloud.config.bucket,
          key: `${options.prefix}${name(i)}`,
          body: Readable.from([body]),
          headers: { contentType: options.contentType ?? 'text/plain; charset=utf-8', metadata: {} },
          integrity: { expectedLength: body.length },
        })
      }
    }),
  )
}
