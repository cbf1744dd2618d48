import { describe, expect, it } from 'vitest'
import { CredentialCache, type ScopedCredentials } from './credentials.js'

function fakeClock(start = 1_000_000) {
  let t = start
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    },
  }
}

function credentials(now: number, lifetimeMs: number, n: number): ScopedCredentials {
  return { accessKeyId: `ASIA${n}`, secretAccessKey: 's', sessionToken: 't', identityId: 'us-east-1:x', expiration: new Date(now + lifetimeMs) }
}

describe('CredentialCache', () => {
  it('fetches once for many concurrent callers', async () => {
    const clock = fakeClock()
    let fetches = 0
    const cache = new CredentialCache(async () => {
      fetches++
      await new Promise((r) => setTimeout(r, 20))
      return credentials(clock.now(), 3600_000, fetches)
    }, clock.now)
    const all = await Promise.all(Array.from({ length: 25 }, () => cache.get()))
    expect(fetches).toBe(1)
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']))
  })

  it('refreshes five minutes before expiry, not before', async () => {
    const clock = fakeClock()
    let fetches = 0
    const cache = new CredentialCache(async () => credentials(clock.now(), 3600_000, ++fetches), clock.now)
    await cache.get()
    clock.advance(3600_000 - 5 * 60_000 - 1)
    expect((await cache.get()).accessKeyId).toBe('ASIA1')
    clock.advance(2)
    expect((await cache.get()).accessKeyId).toBe('ASIA2')
  })

  it('refreshes short-lived credentials at four fifths of their life', async () => {
    const clock = fakeClock()
    let fetches = 0
    const cache = new CredentialCache(async () => credentials(clock.now(), 10_000, ++fetches), clock.now)
    await cache.get()
    clock.advance(7_999)
    expect((await cache.get()).accessKeyId).toBe('ASIA1')
    clock.advance(2)
    expect((await cache.get()).accessKeyId).toBe('ASIA2')
  })

  it('keeps credentials that look expired on arrival (a clock ahead of AWS) for a minute', async () => {
    const clock = fakeClock()
    let fetches = 0
    // The device clock is two hours ahead: fresh one-hour credentials look an hour old.
    const cache = new CredentialCache(async () => credentials(clock.now() - 2 * 3600_000, 3600_000, ++fetches), clock.now)
    for (let i = 0; i < 5; i++) await cache.get()
    expect(fetches).toBe(1)
    clock.advance(60_001)
    await cache.get()
    expect(fetches).toBe(2)
  })

  it('does not keep a failed fetch, and tries again on the next call', async () => {
    let fetches = 0
    const cache = new CredentialCache(async () => {
      fetches++
      if (fetches === 1) throw new Error('offline')
      return credentials(Date.now(), 3600_000, fetches)
    })
    await expect(cache.get()).rejects.toThrow('offline')
    expect((await cache.get()).accessKeyId).toBe('ASIA2')
  })

  it('does not cache credentials that arrive after clear() (a sign-out during a refresh)', async () => {
    let release: () => void = () => {}
    const cache = new CredentialCache(async () => {
      await new Promise<void>((r) => {
        release = r
      })
      return credentials(Date.now(), 3600_000, 1)
    })
    const pending = cache.get()
    cache.clear()
    release()
    await pending
    expect(cache.identityId).toBeUndefined()
  })
})
