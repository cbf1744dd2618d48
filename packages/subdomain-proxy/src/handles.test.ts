import { describe, expect, it } from 'vitest'
import { checkHandle, isValidHandle, normalizeHandle, RESERVED_HANDLES } from './handles.js'

describe('checkHandle', () => {
  it.each(['danielx', 'a', '0', 'x1', 'a-b', 'zine-fan-99', 'a'.repeat(63), '123'])('accepts %s', (h) => {
    expect(checkHandle(h)).toEqual({ ok: true, handle: h })
  })

  it.each([
    ['', /empty/],
    ['a'.repeat(64), /at most 63/],
    ['DanielX', /lowercase/],
    ['daniel_x', /only letters/],
    ['daniel.x', /only letters/],
    ['daniel x', /only letters/],
    [' danielx', /only letters/],
    ['dänielx', /only letters/],
    ['-abc', /hyphen/],
    ['abc-', /hyphen/],
    ['xn--80ak6aa92e', /third and fourth/],
    ['ab--cd', /third and fourth/],
    ['www', /reserved/],
    ['briefcase', /reserved/],
    ['localhost', /reserved/],
    ['wpad', /reserved/],
  ])('refuses %j with a reason', (h, reason) => {
    const result = checkHandle(h)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toMatch(reason)
  })

  it('refuses what is not a string', () => {
    for (const v of [undefined, null, 42, {}, ['danielx']]) expect(checkHandle(v).ok).toBe(false)
  })

  it('refuses every reserved name, and the brief’s list is in it', () => {
    for (const name of ['www', 'api', 'app', 'admin', 'mail', 'static', 'assets', 'cdn', 'login', 'auth', 'whimsy', 'briefcase', 'localhost'])
      expect(RESERVED_HANDLES.has(name)).toBe(true)
    for (const name of RESERVED_HANDLES) expect(isValidHandle(name)).toBe(false)
  })

  it('leaves case to the caller: normalizeHandle trims and lowercases', () => {
    expect(checkHandle('DanielX').ok).toBe(false)
    expect(checkHandle(normalizeHandle('  DanielX ')).ok).toBe(true)
  })
})
