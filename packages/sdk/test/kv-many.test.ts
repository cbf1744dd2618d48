/**
 * Issue 12, "Missing": `kv.deleteMany` and `getMany(keys, { meta: true })`, against the local cloud.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { Whimsy } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'
import { errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')
let whimsy: Whimsy

beforeAll(async () => {
  ;({ whimsy } = await signedInWhimsy(cloud, 'kvmany'))
})

describe('Issue 12: kv batches', () => {
  it('Issue 12: kv.deleteMany(keys) deletes every key, in batches of 25, and keys without a value are no error', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `dm/${String(i).padStart(2, '0')}`)
    await whimsy.kv.setMany(keys.map((k) => [k, k] as const))
    await whimsy.kv.set('dm-stays', 1)
    await whimsy.kv.deleteMany([...keys, 'dm/absent', keys[0] as string])
    expect(await whimsy.kv.getMany(keys)).toEqual(keys.map(() => null))
    expect(await whimsy.kv.get('dm-stays')).toBe(1)
    await whimsy.kv.deleteMany([])
  })

  it('Issue 12: kv.deleteMany stays in its namespace', async () => {
    const paint = whimsy.kv.app('paint')
    await paint.set('brush', 1)
    await whimsy.kv.set('brush', 2)
    await paint.deleteMany(['brush'])
    expect(await paint.get('brush')).toBeNull()
    expect(await whimsy.kv.get('brush')).toBe(2)
  })

  it('Issue 12: kv.deleteMany refuses a non-array and bad keys before any request', async () => {
    expect((await errorOf(whimsy.kv.deleteMany('abc' as never))).message).toBe('kv.deleteMany: keys must be an array of keys, not the string "abc".')
    expect((await errorOf(whimsy.kv.deleteMany([''] as never))).code).toBe('InvalidInput')
    expect((await errorOf(whimsy.kv.deleteMany(['a'], { force: true } as never))).message).toMatch(/^kv\.deleteMany: unknown option "force"/)
  })

  it('Issue 12: kv.getMany(keys, { meta: true }) gives entries with versions, null where there is none', async () => {
    const a = await whimsy.kv.set('gm/a', { n: 1 })
    await whimsy.kv.set('gm/null', null)
    const [entry, none, stored] = await whimsy.kv.getMany(['gm/a', 'gm/none', 'gm/null'], { meta: true })
    expect(entry).toMatchObject({ key: 'gm/a', value: { n: 1 }, version: a.version })
    expect(entry?.updatedAt).toBeInstanceOf(Date)
    expect(none).toBeNull()
    // A stored null is an entry, told apart from a missing key.
    expect(stored).toMatchObject({ key: 'gm/null', value: null })
    expect(await whimsy.kv.getMany(['gm/a'], { meta: false })).toEqual([{ n: 1 }])
    expect((await errorOf(whimsy.kv.getMany(['gm/a'], { meta: 'yes' } as never))).message).toBe(
      'kv.getMany: options.meta must be true or false, not the string "yes".',
    )
  })
})
