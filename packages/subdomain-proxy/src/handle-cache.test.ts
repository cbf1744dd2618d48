import { expect, it } from 'vitest'
import { cachedHandleLookup } from './handle-cache.js'

function counting(answers: Record<string, string | null>) {
  const calls: string[] = []
  return {
    calls,
    lookup: async (h: string) => {
      calls.push(h)
      return answers[h] ?? null
    },
  }
}

it('remembers found handles for the TTL and unknown ones briefly', async () => {
  let now = 0
  const source = counting({ alice: 'us-east-1:a' })
  const cached = cachedHandleLookup(source.lookup, { ttlMs: 1000, negativeTtlMs: 100, now: () => now })
  expect(await cached('alice')).toBe('us-east-1:a')
  expect(await cached('nobody')).toBeNull()
  now = 99
  await cached('alice')
  await cached('nobody')
  expect(source.calls).toEqual(['alice', 'nobody'])
  now = 101
  await cached('nobody')
  await cached('alice')
  expect(source.calls).toEqual(['alice', 'nobody', 'nobody'])
  now = 1001
  await cached('alice')
  expect(source.calls).toEqual(['alice', 'nobody', 'nobody', 'alice'])
})

it('shares one call among concurrent lookups and does not remember failures', async () => {
  let calls = 0
  let fail = true
  const cached = cachedHandleLookup(async () => {
    calls++
    await new Promise((r) => setTimeout(r, 5))
    if (fail) throw new Error('registry down')
    return 'us-east-1:a'
  })
  await expect(Promise.all([cached('a'), cached('a'), cached('a')])).rejects.toThrow('registry down')
  expect(calls).toBe(1)
  fail = false
  expect(await cached('a')).toBe('us-east-1:a')
  expect(calls).toBe(2)
})

it('keeps at most maxEntries and can forget', async () => {
  const source = counting({})
  const cached = cachedHandleLookup(source.lookup, { maxEntries: 2 })
  await cached('a')
  await cached('b')
  await cached('c')
  expect(cached.size).toBe(2)
  cached.forget('c')
  expect(cached.size).toBe(1)
  cached.forget()
  expect(cached.size).toBe(0)
})
