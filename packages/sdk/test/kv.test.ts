/**
 * `whimsy.kv` end to end (issue 6), against the running local cloud: the SDK's own requests
 * through the SigV4 + IAM gateway to the DynamoDB emulator.
 */
import { randomUUID } from 'node:crypto'
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { documentClient } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import { toWhimsyError } from '../src/aws-errors.js'
import { createWhimsy, type JsonValue, memoryStorage, type Whimsy, WhimsyError } from '../src/index.js'
import { PASSWORD, signedInWhimsy } from './sdk-users.js'
import { codeOf, errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of iterable) out.push(x)
  return out
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits until an expiry (whole seconds) has passed on this clock. */
async function until(at: Date | undefined): Promise<void> {
  if (!at) throw new Error('no expiry')
  await sleep(Math.max(0, at.getTime() - Date.now() + 20))
}

let whimsy: Whimsy
let username: string
/** A key prefix per test, so tests share one user without sharing keys. */
const fresh = () => `t-${randomUUID().slice(0, 8)}/`

beforeAll(async () => {
  ;({ whimsy, username } = await signedInWhimsy(cloud, 'kv'))
})

describe('get and set', () => {
  it.each<[string, JsonValue]>([
    ['an object', { dark: true, size: 14, name: 'Ada', tags: ['a', 'b'] }],
    ['a string', 'hello'],
    ['an empty string', ''],
    ['an object of empty strings and empty containers', { '': '', a: '', b: {}, c: [], d: { e: {} } }],
    ['an empty object', {}],
    ['an empty array', []],
    ['null', null],
    ['false', false],
    ['-0', -0],
    ['-0 in a field', { n: -0 }],
    ['numbers DynamoDB cannot hold', { huge: 1.5e300, tiny: 5e-324, past2to53: 2 ** 64, plain: 0.1 }],
    ['a huge number alone', 1e300],
    ['strings that look like numbers', { a: '5', b: '-0', c: '1e3' }],
    ['unicode', { 日本: '😀 \u0000 \u2028' }],
  ])('round-trips %s exactly', async (_, value) => {
    const key = `${fresh()}value`
    await whimsy.kv.set(key, value)
    const back = await whimsy.kv.get(key)
    expect(back).toEqual(value)
    if (typeof value === 'number') expect(Object.is(back, value)).toBe(true)
  })

  it('returns null for a key without a value', async () => {
    expect(await whimsy.kv.get(`${fresh()}nothing`)).toBeNull()
    expect(await whimsy.kv.get(`${fresh()}nothing`, { meta: true })).toBeNull()
  })

  it('returns the version, updatedAt and expiresAt with { meta: true }; a new key starts at a random version, each set adds 1', async () => {
    const key = `${fresh()}doc`
    const before = Date.now()
    const first = await whimsy.kv.set(key, { v: 1 })
    expect(first.version).toBeGreaterThan(2 ** 32)
    expect(Number.isSafeInteger(first.version)).toBe(true)
    expect(first.updatedAt.getTime()).toBeGreaterThanOrEqual(before)
    expect(first.expiresAt).toBeUndefined()
    const second = await whimsy.kv.set(key, { v: 2 })
    expect(second.version).toBe(first.version + 1)
    const entry = await whimsy.kv.get(key, { meta: true })
    expect(entry).toEqual({ key, value: { v: 2 }, version: first.version + 1, updatedAt: second.updatedAt })
  })

  it('bug 1: a version read before a delete never matches the value set or updated into the key afterwards', async () => {
    const key = `${fresh()}doc`
    // A reads the document; B deletes it and writes it again, by set and then by update.
    const seenByA = await whimsy.kv.set(key, { text: 'v1' })
    await whimsy.kv.delete(key)
    const again = await whimsy.kv.set(key, { text: "B's" })
    expect(again.version).not.toBe(seenByA.version)
    const e = await errorOf(whimsy.kv.set(key, { text: "A's stale edit" }, { ifVersion: seenByA.version }))
    expect(e.code).toBe('Conflict')
    expect(await codeOf(whimsy.kv.update(key, { set: { text: "A's" } }, { ifVersion: seenByA.version }))).toBe('Conflict')
    expect(await codeOf(whimsy.kv.delete(key, { ifVersion: seenByA.version }))).toBe('Conflict')
    expect(await whimsy.kv.get(key)).toEqual({ text: "B's" })

    await whimsy.kv.delete(key)
    const created = await whimsy.kv.update(key, { set: { text: "B's again" } })
    expect(created.version).toBeGreaterThan(2 ** 32)
    expect([seenByA.version, again.version]).not.toContain(created.version)
    expect(await codeOf(whimsy.kv.set(key, { text: "A's stale edit" }, { ifVersion: again.version }))).toBe('Conflict')
    expect(await whimsy.kv.get(key)).toEqual({ text: "B's again" })
  })

  it('bug 2: a "__proto__" field round-trips as an ordinary field through set, get, getMany and list; update refuses it', async () => {
    const p = fresh()
    const key = `${p}profile`
    const proto = (v: unknown) => Object.getPrototypeOf(v)
    const value = JSON.parse('{"__proto__":{"isAdmin":true},"name":"x"}')
    await whimsy.kv.set(key, value)
    const back = (await whimsy.kv.get(key)) as Record<string, unknown>
    expect(proto(back)).toBe(Object.prototype)
    expect(back.isAdmin).toBeUndefined()
    expect(back).toEqual(value)
    expect(JSON.stringify(back)).toBe('{"__proto__":{"isAdmin":true},"name":"x"}')
    const [many] = (await whimsy.kv.getMany([key])) as [Record<string, unknown>]
    expect(many).toEqual(value)
    expect(many.isAdmin).toBeUndefined()
    const [listed] = await collect(whimsy.kv.list({ prefix: p }))
    expect(listed?.value).toEqual(value)
    // update refuses the field, whether it would create the item or change it, and stores nothing.
    const other = `${p}other`
    for (const k of [other, key]) {
      const e = await errorOf(whimsy.kv.update(k, JSON.parse('{"set":{"__proto__":{"isAdmin":true}}}')))
      expect(e.code).toBe('InvalidInput')
      expect(e.message).toMatch(/"__proto__".*kv\.set/)
    }
    expect(await whimsy.kv.get(other)).toBeNull()
    // A fields map that already holds the field (as an update stored it before this fix) reads as an ordinary field.
    await whimsy.kv.set(other, { name: 'y' })
    const ddb = documentClient(cloud, await sessionOf(whimsy.auth).credentials())
    const identityId = (await sessionOf(whimsy.auth).credentials()).identityId
    await ddb.send(
      new UpdateCommand({
        TableName: cloud.config.table,
        Key: { identityId, key: `:${other}` },
        UpdateExpression: 'SET #fields.#f = :v',
        ExpressionAttributeNames: { '#fields': 'fields', '#f': '__proto__' },
        ExpressionAttributeValues: { ':v': '{"isAdmin":true}' },
      }),
    )
    ddb.destroy()
    const old = (await whimsy.kv.get(other)) as Record<string, unknown>
    expect(proto(old)).toBe(Object.prototype)
    expect(old.isAdmin).toBeUndefined()
    expect(old).toEqual(JSON.parse('{"__proto__":{"isAdmin":true},"name":"y"}'))
  })

  it('replaces the whole value, also when its shape changes between object and not', async () => {
    const key = `${fresh()}shape`
    await whimsy.kv.set(key, { a: 1, b: 2 })
    await whimsy.kv.set(key, [1, 2])
    expect(await whimsy.kv.get(key)).toEqual([1, 2])
    await whimsy.kv.set(key, { c: 3 })
    expect(await whimsy.kv.get(key)).toEqual({ c: 3 })
  })

  it('set with ifAbsent creates once, then refuses with Conflict', async () => {
    const key = `${fresh()}counter`
    await whimsy.kv.set(key, 1, { ifAbsent: true })
    const e = await errorOf(whimsy.kv.set(key, 2, { ifAbsent: true }))
    expect(e.code).toBe('Conflict')
    expect(e.message).toContain('already has a value')
    expect(e.cause).toMatchObject({ name: 'ConditionalCheckFailedException' })
    expect(await whimsy.kv.get(key)).toBe(1)
    await whimsy.kv.delete(key)
    await whimsy.kv.set(key, 3, { ifAbsent: true })
    expect(await whimsy.kv.get(key)).toBe(3)
  })

  it('two writers with the same ifVersion: one wins, the other gets Conflict', async () => {
    const key = `${fresh()}doc`
    const { version } = await whimsy.kv.set(key, { text: 'v1' })
    const results = await Promise.allSettled([
      whimsy.kv.set(key, { text: 'from A' }, { ifVersion: version }),
      whimsy.kv.set(key, { text: 'from B' }, { ifVersion: version }),
    ])
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect((lost[0]?.reason as WhimsyError).code).toBe('Conflict')
    const winner = results[0]?.status === 'fulfilled' ? 'from A' : 'from B'
    expect(await whimsy.kv.get(key, { meta: true })).toMatchObject({ value: { text: winner }, version: version + 1 })
    // A write with the now-current version goes through.
    await whimsy.kv.set(key, { text: 'v3' }, { ifVersion: version + 1 })
    // ifVersion on a key without a value is a Conflict too.
    expect(await codeOf(whimsy.kv.set(`${fresh()}none`, 1, { ifVersion: 1 }))).toBe('Conflict')
  })
})

describe('update', () => {
  it('adds, sets and removes fields atomically; a missing key starts as {}', async () => {
    const key = `${fresh()}stats`
    const created = await whimsy.kv.update(key, { add: { visits: 1 }, set: { last: '/home' } })
    expect(created).toMatchObject({ key, value: { visits: 1, last: '/home' } })
    expect(created.version).toBeGreaterThan(2 ** 32)
    const next = await whimsy.kv.update(key, { add: { visits: 2, score: 0.5 }, set: { tags: ['x'], last: '' }, remove: ['nope'] })
    expect(next.value).toEqual({ visits: 3, score: 0.5, last: '', tags: ['x'] })
    expect(next.version).toBe(created.version + 1)
    const removed = await whimsy.kv.update(key, { remove: ['tags', 'score'], add: { visits: -3 } })
    expect(removed.value).toEqual({ visits: 0, last: '' })
    expect(await whimsy.kv.get(key)).toEqual({ visits: 0, last: '' })
  })

  it('updates an object written by set, and set replaces what update made', async () => {
    const key = `${fresh()}prefs`
    await whimsy.kv.set(key, { lang: 'en', huge: 1e300, negZero: -0 })
    const after = await whimsy.kv.update(key, { set: { lang: 'fr' } })
    expect(after.value).toEqual({ lang: 'fr', huge: 1e300, negZero: -0 })
    await whimsy.kv.set(key, { only: true })
    expect(await whimsy.kv.get(key)).toEqual({ only: true })
  })

  it('sums concurrent adds from 20 callers on two devices exactly', async () => {
    const key = `${fresh()}hits`
    // A second device: the same user signed in separately, with its own session and clients.
    const other = createWhimsy(cloud.config, { storage: memoryStorage() })
    await other.auth.signIn({ username, password: PASSWORD })
    const callers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? whimsy : other).kv.update(key, { add: { n: 1, total: i } }))
    const results = await Promise.all(callers)
    expect(await whimsy.kv.get(key)).toEqual({ n: 20, total: 190 })
    // Every caller saw a different state: the versions are 20 in a row from the creator's, each once.
    const versions = results.map((r) => r.version).sort((a, b) => a - b)
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => (versions[0] as number) + i))
  })

  it('is conditional with ifVersion', async () => {
    const key = `${fresh()}cond`
    const { version } = await whimsy.kv.set(key, { n: 1 })
    await whimsy.kv.update(key, { add: { n: 1 } }, { ifVersion: version })
    expect(await codeOf(whimsy.kv.update(key, { add: { n: 1 } }, { ifVersion: version }))).toBe('Conflict')
    expect(await codeOf(whimsy.kv.update(`${fresh()}absent`, { add: { n: 1 } }, { ifVersion: 1 }))).toBe('Conflict')
    expect(await whimsy.kv.get(key)).toEqual({ n: 2 })
  })

  it('refuses a value that is not an object, and add on a field that is not a number, with InvalidInput', async () => {
    const key = `${fresh()}list`
    await whimsy.kv.set(key, [1, 2])
    const e = await errorOf(whimsy.kv.update(key, { add: { n: 1 } }))
    expect(e.code).toBe('InvalidInput')
    expect(e.message).toMatch(/not an object/)
    const obj = `${fresh()}obj`
    await whimsy.kv.set(obj, { s: 'text' })
    const typed = await errorOf(whimsy.kv.update(obj, { add: { s: 1 } }))
    expect(typed.code).toBe('InvalidInput')
    expect(typed.message).toMatch(/field "s" is not a number/)
    expect(await whimsy.kv.get(obj)).toEqual({ s: 'text' })
  })

  it('bug 6: add on a number kept as text (-0, 1e21) says the number is stored as text, not that it is no number', async () => {
    const key = `${fresh()}nums`
    await whimsy.kv.set(key, { plain: 1, z: -0, big: 1e21 })
    for (const [field, text] of [
      ['z', '-0'],
      ['big', '1e+21'],
    ] as const) {
      const e = await errorOf(whimsy.kv.update(key, { add: { plain: 1, [field]: 1 } }))
      expect(e.code).toBe('InvalidInput')
      expect(e.message).toContain(`field "${field}" holds ${text}`)
      expect(e.message).toMatch(/stores as text so that it reads back exactly/)
      expect(e.message).not.toMatch(/not a number/)
    }
    // Nothing changed, and set still replaces such a field.
    expect(await whimsy.kv.get(key)).toEqual({ plain: 1, z: -0, big: 1e21 })
    expect((await whimsy.kv.update(key, { set: { z: 1 }, add: { plain: 1 } })).value).toEqual({ plain: 2, z: 1, big: 1e21 })
  })

  it('bug 7: an update that grows the item past 400 KB is InvalidInput naming the limit, as set is', async () => {
    const key = `${fresh()}grows`
    await whimsy.kv.set(key, { a: 'x'.repeat(250 * 1024) })
    const e = await errorOf(whimsy.kv.update(key, { set: { b: 'y'.repeat(250 * 1024) } }))
    expect(e.code).toBe('InvalidInput')
    expect(e.message).toMatch(/400 KB \(409,600 bytes/)
    expect(e.message).toContain('kv key')
    expect(e.cause).toMatchObject({ name: 'ValidationException' })
    expect(Object.keys((await whimsy.kv.get(key)) as object)).toEqual(['a'])
  })
})

describe('delete', () => {
  it('deletes, says whether there was a value, and is conditional with ifVersion', async () => {
    const key = `${fresh()}gone`
    const { version } = await whimsy.kv.set(key, 'x')
    expect(await codeOf(whimsy.kv.delete(key, { ifVersion: version + 1 }))).toBe('Conflict')
    expect(await whimsy.kv.get(key)).toBe('x')
    expect(await whimsy.kv.delete(key, { ifVersion: version })).toBe(true)
    expect(await whimsy.kv.get(key)).toBeNull()
    expect(await whimsy.kv.delete(key)).toBe(false)
    expect(await codeOf(whimsy.kv.delete(key, { ifVersion: version }))).toBe('Conflict')
  })
})

describe('list', () => {
  it('lists a prefix in UTF-8 key order, with startAfter and limit, over pages', async () => {
    const p = fresh()
    const keys = ['a', 'b', 'b/1', 'b/2', 'c', '\uff5e', '😀'].map((k) => p + k)
    await whimsy.kv.setMany(keys.map((k, i) => [k, { i }] as const))
    await whimsy.kv.set(`${p.slice(0, -1)}-outside`, 'not in the prefix')

    const all = await collect(whimsy.kv.list({ prefix: p }))
    // DynamoDB's order is UTF-8 bytes: U+FF5E (EF BD 9E) before U+1F600 (F0 9F 98 80).
    expect(all.map((e) => e.key)).toEqual(keys)
    expect(all[0]).toMatchObject({ key: keys[0], value: { i: 0 } })
    expect(typeof all[0]?.version).toBe('number')

    expect((await collect(whimsy.kv.list({ prefix: `${p}b/` }))).map((e) => e.key)).toEqual([`${p}b/1`, `${p}b/2`])
    expect((await collect(whimsy.kv.list({ prefix: p, startAfter: `${p}b` }))).map((e) => e.key)).toEqual(keys.slice(2))
    expect((await collect(whimsy.kv.list({ prefix: p, startAfter: `${p}b/1` }))).map((e) => e.key)).toEqual(keys.slice(3))
    // startAfter need not be a key that exists.
    expect((await collect(whimsy.kv.list({ prefix: p, startAfter: `${p}b/0` }))).map((e) => e.key)).toEqual(keys.slice(2))
    expect((await collect(whimsy.kv.list({ prefix: p, limit: 3 }))).map((e) => e.key)).toEqual(keys.slice(0, 3))
    // startAfter outside the prefix: before it lists everything, after it nothing.
    expect(await collect(whimsy.kv.list({ prefix: `${p}b/`, startAfter: p }))).toHaveLength(2)
    expect(await collect(whimsy.kv.list({ prefix: `${p}b/`, startAfter: `${p}c` }))).toHaveLength(0)

    const pages = await collect(whimsy.kv.list({ prefix: p, pageSize: 2 }).pages())
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2, 1])
    expect(pages.flat().map((e) => e.key)).toEqual(keys)
    // Resuming from the last key of a page continues where it left off.
    const resumed = await collect(whimsy.kv.list({ prefix: p, startAfter: pages[0]?.at(-1)?.key, limit: 2 }))
    expect(resumed.map((e) => e.key)).toEqual(keys.slice(2, 4))
  })

  it('bug 5: with a small limit, sends one request past expired items, not one per expired item', async () => {
    const p = fresh()
    const expiresAt = Date.now() + 300
    await whimsy.kv.setMany(
      Array.from({ length: 6 }, (_, i) => [`${p}a${i}`, i] as const),
      { expiresAt },
    )
    await whimsy.kv.setMany({ [`${p}b`]: 'live', [`${p}c`]: 'live too' })
    await until(new Date(Math.ceil(expiresAt / 1000) * 1000))
    // One page per request: the expired items are filtered out of the first.
    const pages = await collect(whimsy.kv.list({ prefix: p, limit: 1 }).pages())
    expect(pages.map((page) => page.map((e) => e.key))).toEqual([[`${p}b`]])
  })

  it('refuses bad options before any request', () => {
    expect(() => whimsy.kv.list({ limit: 0 })).toThrow(WhimsyError)
    expect(() => whimsy.kv.list({ pageSize: 5000 })).toThrow(WhimsyError)
    expect(() => whimsy.kv.list({ startAfter: '' })).toThrow(WhimsyError)
    expect(() => whimsy.kv.list({ prefx: 'a' } as never)).toThrow(/unknown option "prefx"/)
  })
})

describe('getMany and setMany', () => {
  it('writes and reads 130 keys in batches (25 and 100 per request), in order, null where missing', async () => {
    const p = fresh()
    const entries = Array.from({ length: 130 }, (_, i) => [`${p}${String(i).padStart(3, '0')}`, { i, s: '' }] as const)
    await whimsy.kv.setMany(entries)
    const keys = [...entries.map(([k]) => k), `${p}missing`, entries[5]?.[0] as string]
    const values = await whimsy.kv.getMany(keys)
    expect(values).toHaveLength(132)
    expect(values.slice(0, 130)).toEqual(entries.map(([, v]) => v))
    expect(values[130]).toBeNull()
    expect(values[131]).toEqual({ i: 5, s: '' })
    expect(await collect(whimsy.kv.list({ prefix: p }))).toHaveLength(130)
  })

  it('bug 3: reads 40 values of 300 KB, more than one response holds, however many resends that takes', async () => {
    const p = fresh()
    const big = (i: number) => ({ i, text: String(i % 10).repeat(300 * 1024) })
    const keys = Array.from({ length: 40 }, (_, i) => `${p}${String(i).padStart(2, '0')}`)
    await whimsy.kv.setMany(keys.map((k, i) => [k, big(i)] as const))
    const values = (await whimsy.kv.getMany(keys)) as { i: number; text: string }[]
    expect(values.map((v) => v.i)).toEqual(keys.map((_, i) => i))
    expect(values.every((v, i) => v.text === big(i).text)).toBe(true)
  }, 60_000)

  it('takes a plain object, replaces old values, and gives each key a fresh version set can continue', async () => {
    const p = fresh()
    await whimsy.kv.set(`${p}a`, 'old')
    await whimsy.kv.setMany({ [`${p}a`]: { n: 1 }, [`${p}b`]: [2] })
    expect(await whimsy.kv.getMany([`${p}a`, `${p}b`])).toEqual([{ n: 1 }, [2]])
    const entry = await whimsy.kv.get(`${p}a`, { meta: true })
    expect(entry?.version).toBeGreaterThan(2 ** 32)
    await whimsy.kv.update(`${p}a`, { add: { n: 1 } }, { ifVersion: entry?.version })
    expect(await whimsy.kv.get(`${p}a`, { meta: true })).toMatchObject({ value: { n: 2 }, version: (entry?.version ?? 0) + 1 })
  })

  it('checks every entry before the first request', async () => {
    const p = fresh()
    const e = await errorOf(
      whimsy.kv.setMany([
        [`${p}ok`, 1],
        ['', 2],
      ]),
    )
    expect(e.code).toBe('InvalidInput')
    expect(await whimsy.kv.get(`${p}ok`)).toBeNull()
    expect(
      await codeOf(
        whimsy.kv.setMany([
          [`${p}x`, 1],
          [`${p}x`, 2],
        ]),
      ),
    ).toBe('InvalidInput')
    expect(await codeOf(whimsy.kv.getMany([`${p}x`, 'k'.repeat(2000)]))).toBe('InvalidInput')
  })
})

describe('expiry', () => {
  it('hides an expired value from get, getMany and list at once, and treats it as absent for writes', async () => {
    const p = fresh()
    const key = `${p}session`
    const set = await whimsy.kv.set(key, { token: 't' }, { expiresAt: Date.now() + 500 })
    expect(set.expiresAt).toBeInstanceOf(Date)
    await whimsy.kv.set(`${p}ttl`, 'one hour', { ttl: 3600 })
    await whimsy.kv.set(`${p}stays`, 'forever')
    await whimsy.kv.setMany({ [`${p}batch`]: 'short' }, { expiresAt: set.expiresAt as Date })
    expect(await whimsy.kv.get(key, { meta: true })).toMatchObject({ value: { token: 't' }, expiresAt: set.expiresAt })
    expect((await whimsy.kv.get(`${p}ttl`, { meta: true }))?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 3590_000)

    await until(set.expiresAt)
    expect(await whimsy.kv.get(key)).toBeNull()
    expect(await whimsy.kv.getMany([key, `${p}batch`, `${p}stays`])).toEqual([null, null, 'forever'])
    expect((await collect(whimsy.kv.list({ prefix: p }))).map((e) => e.key)).toEqual([`${p}stays`, `${p}ttl`])
    expect(await whimsy.kv.delete(key)).toBe(false)
    // Absent for ifAbsent, and an update starts again from {}.
    await whimsy.kv.set(`${p}batch`, 'again', { ifAbsent: true })
    await whimsy.kv.set(key, { token: 't', n: 5 }, { expiresAt: Date.now() + 200 })
    const expiry = (await whimsy.kv.get(key, { meta: true }))?.expiresAt
    await until(expiry)
    expect((await whimsy.kv.update(key, { add: { n: 1 } })).value).toEqual({ n: 1 })
    // An update keeps the expiry unless it sets one; a set without one clears it.
    await whimsy.kv.update(key, { add: { n: 1 } }, { ttl: 60 })
    expect((await whimsy.kv.get(key, { meta: true }))?.expiresAt).toBeInstanceOf(Date)
    await whimsy.kv.update(key, { add: { n: 1 } })
    expect((await whimsy.kv.get(key, { meta: true }))?.expiresAt).toBeInstanceOf(Date)
    await whimsy.kv.set(key, 'plain')
    expect((await whimsy.kv.get(key, { meta: true }))?.expiresAt).toBeUndefined()
  })

  it('refuses conflicting or senseless expiry options', async () => {
    expect(await codeOf(whimsy.kv.set('x', 1, { ttl: 10, expiresAt: Date.now() }))).toBe('InvalidInput')
    expect(await codeOf(whimsy.kv.set('x', 1, { ttl: -1 }))).toBe('InvalidInput')
    expect(await codeOf(whimsy.kv.set('x', 1, { expiresAt: 'tomorrow' as never }))).toBe('InvalidInput')
  })

  it('bug 4: refuses expiresAt in epoch seconds or in the past, and a non-finite or huge ttl, instead of writing an expired item', async () => {
    const key = `${fresh()}expiry`
    const seconds = await errorOf(whimsy.kv.set(key, 1, { expiresAt: Math.floor(Date.now() / 1000) + 3600 }))
    expect(seconds.code).toBe('InvalidInput')
    expect(seconds.message).toContain('expiresAt is milliseconds since the epoch (a Date or Date.now()+…)')
    expect(await codeOf(whimsy.kv.setMany({ [key]: 1 }, { expiresAt: new Date(Math.floor(Date.now() / 1000) + 60) }))).toBe('InvalidInput')
    const past = await errorOf(whimsy.kv.set(key, 1, { expiresAt: Date.now() - 1000 }))
    expect(past.code).toBe('InvalidInput')
    expect(past.message).toMatch(/in the past/)
    expect(await codeOf(whimsy.kv.update(key, { add: { n: 1 } }, { expiresAt: new Date(Date.now() - 1) }))).toBe('InvalidInput')
    const decade = 10 * 365 * 24 * 3600
    for (const ttl of [Number.POSITIVE_INFINITY, Number.NaN, 1e300, decade + 1])
      expect(await codeOf(whimsy.kv.set(key, 1, { ttl })), String(ttl)).toBe('InvalidInput')
    expect(await codeOf(whimsy.kv.set(key, 1, { expiresAt: Date.now() + (decade + 60) * 1000 }))).toBe('InvalidInput')
    // Nothing was written; the bounds themselves are fine.
    expect(await whimsy.kv.get(key)).toBeNull()
    expect((await whimsy.kv.set(key, 1, { ttl: decade })).expiresAt?.getTime()).toBeGreaterThan(Date.now() + (decade - 60) * 1000)
  })
})

describe('app namespaces', () => {
  it('keeps the same key apart in whimsy.kv and each app, in get, list and delete', async () => {
    const key = `${fresh()}brush`
    const paint = whimsy.kv.app('paint')
    const paint2 = whimsy.kv.app('paint-2')
    await whimsy.kv.set(key, 'root')
    await paint.set(key, 'paint')
    await paint2.set(key, 'paint-2')
    // A root key that spells another namespace's stored key is still only a root key.
    await whimsy.kv.set(`paint:${key}`, 'root, not paint')
    expect(await whimsy.kv.get(key)).toBe('root')
    expect(await paint.get(key)).toBe('paint')
    expect(await paint2.get(key)).toBe('paint-2')
    expect(await whimsy.kv.app('notes').get(key)).toBeNull()
    expect(paint.namespace).toBe('paint')

    expect((await collect(paint.list())).map((e) => [e.key, e.value])).toContainEqual([key, 'paint'])
    expect((await collect(paint.list())).every((e) => e.value === 'paint')).toBe(true)
    expect((await collect(whimsy.kv.list())).some((e) => e.value === 'paint' || e.value === 'paint-2')).toBe(false)
    expect(await paint.getMany([key])).toEqual(['paint'])
    expect((await paint.update(`${key}/stats`, { add: { n: 1 } })).key).toBe(`${key}/stats`)

    await paint.delete(key)
    expect(await paint.get(key)).toBeNull()
    expect(await whimsy.kv.get(key)).toBe('root')
    expect(await paint2.get(key)).toBe('paint-2')
    await whimsy.kv.delete(`paint:${key}`)
  })

  it('refuses app names that could overlap another namespace', () => {
    for (const name of ['', 'a:b', 'Paint', '../x', 'x'.repeat(65)]) expect(() => whimsy.kv.app(name)).toThrow(WhimsyError)
  })
})

describe('input checked before the network', () => {
  /** Signed in, but its DynamoDB endpoint is a closed port: any request would fail with Network. */
  async function unreachable(): Promise<Whimsy> {
    const config = { ...cloud.config, endpoints: { ...cloud.config.endpoints, dynamodb: 'http://127.0.0.1:9' } }
    const w = createWhimsy(config, { storage: memoryStorage() })
    await w.auth.signIn({ username, password: PASSWORD })
    return w
  }

  it('refuses an oversized value with InvalidInput naming the 400 KB limit, without a request', async () => {
    const offline = await unreachable()
    const big = { text: 'x'.repeat(400 * 1024) }
    const e = await errorOf(offline.kv.set('big', big))
    expect(e.code).toBe('InvalidInput')
    expect(e.message).toMatch(/400 KB \(409,600 bytes/)
    expect(await codeOf(offline.kv.setMany({ big }))).toBe('InvalidInput')
    expect(await codeOf(offline.kv.update('big', { set: big }))).toBe('InvalidInput')
    // The same client does reach for the network with a value that fits: there it fails with Network.
    expect(await codeOf(offline.kv.set('small', { text: 'x' }))).toBe('Network')
  })

  it('stores a value just under the limit on the real engine', async () => {
    const key = `${fresh()}large`
    const large = 'y'.repeat(400 * 1024 - 1500)
    await whimsy.kv.set(key, large)
    expect(await whimsy.kv.get(key)).toBe(large)
    await whimsy.kv.delete(key)
  })

  it('refuses bad keys, non-JSON values and unknown options with InvalidInput, without a request', async () => {
    const offline = await unreachable()
    for (const call of [
      offline.kv.get(''),
      offline.kv.get('k'.repeat(1024)), // with the ":" namespace separator: 1,025 bytes
      offline.kv.get('\ud800'),
      offline.kv.set('k', undefined),
      offline.kv.set('k', { when: new Date() }),
      offline.kv.set('k', Number.NaN),
      offline.kv.set('k', 1, { ifAbsent: true, ifVersion: 1 }),
      offline.kv.set('k', 1, { ifVersion: 1.5 }),
      offline.kv.set('k', 1, { ifAbsnt: true } as never),
      offline.kv.update('k', {}),
      offline.kv.update('k', { add: { n: '1' as never } }),
      offline.kv.delete('k', { ifVersion: -1 }),
    ])
      expect(await codeOf(call)).toBe('InvalidInput')
    expect(await whimsy.kv.get('k'.repeat(1023))).toBeNull() // 1,024 bytes stored: the largest key
  })
})

describe('sessions and access', () => {
  it('needs a signed-in user', async () => {
    const signedOut = createWhimsy(cloud.config, { storage: memoryStorage() })
    expect(await codeOf(signedOut.kv.get('x'))).toBe('NotSignedIn')
    expect(await codeOf(signedOut.kv.set('x', 1))).toBe('NotSignedIn')
    expect(await codeOf(collect(signedOut.kv.list()))).toBe('NotSignedIn')
  })

  it("lets no user read, write, list or delete another user's items: the gateway denies, the SDK says Forbidden", async () => {
    const owner = await signedInWhimsy(cloud, 'kv-owner')
    const key = `${fresh()}secret`
    await owner.whimsy.kv.set(key, { pin: 1234 })
    const victim = (await sessionOf(owner.whimsy.auth).credentials()).identityId
    // The SDK never lets an app pick the partition, so the attack is raw DynamoDB calls with the
    // attacker's own valid credentials against the owner's partition.
    const credentials = await sessionOf(whimsy.auth).credentials()
    const ddb = documentClient(cloud, credentials)
    const TableName = cloud.config.table
    const Key = { identityId: victim, key: `:${key}` }
    const attempts: [string, Promise<unknown>][] = [
      ['read', ddb.send(new GetCommand({ TableName, Key }))],
      ['read many', ddb.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [Key] } } }))],
      ['write', ddb.send(new PutCommand({ TableName, Item: { ...Key, json: '"mine"' } }))],
      [
        'update',
        ddb.send(
          new UpdateCommand({
            TableName,
            Key,
            UpdateExpression: 'SET #j = :j',
            ExpressionAttributeNames: { '#j': 'json' },
            ExpressionAttributeValues: { ':j': '1' },
          }),
        ),
      ],
      ['list', ddb.send(new QueryCommand({ TableName, KeyConditionExpression: 'identityId = :id', ExpressionAttributeValues: { ':id': victim } }))],
      ['delete', ddb.send(new DeleteCommand({ TableName, Key }))],
    ]
    for (const [what, attempt] of attempts) {
      const raw = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(raw, what).toMatchObject({ name: 'AccessDeniedException' })
      const mapped = toWhimsyError(raw, `kv key "${key}"`)
      expect(mapped.code, what).toBe('Forbidden')
      expect(mapped.cause).toBe(raw)
    }
    ddb.destroy()
    expect(await owner.whimsy.kv.get(key, { meta: true })).toMatchObject({ value: { pin: 1234 } })
  })

  it('surfaces Forbidden through the SDK itself when the policy denies its request', async () => {
    // The handle registry's table is granted to no user: the SDK pointed at it is denied.
    expect(cloud.handlesTable).toBeTruthy()
    const denied = createWhimsy({ ...cloud.config, table: cloud.handlesTable as string }, { storage: memoryStorage() })
    await denied.auth.signIn({ username, password: PASSWORD })
    const e = await errorOf(denied.kv.get('anything'))
    expect(e.code).toBe('Forbidden')
    expect(e.message).toContain('kv key "anything"')
    expect(e.cause).toMatchObject({ name: 'AccessDeniedException' })
    expect(await codeOf(denied.kv.set('anything', 1))).toBe('Forbidden')
    expect(await codeOf(collect(denied.kv.list()))).toBe('Forbidden')
    expect(await codeOf(denied.kv.delete('anything'))).toBe('Forbidden')
  })
})
