import { describe, expect, it } from 'vitest'
import { WhimsyError } from '../errors.js'
import { applyToEmpty, deleteExpression, setExpression, updateExpression } from './expressions.js'

describe('set', () => {
  it('replaces the value and expiry, adds 1 to the version, and uses every name and value it defines', () => {
    const parts = setExpression({ a: 1 }, { nowMs: 5000 })
    expect(parts.UpdateExpression).toBe('SET #fields = :val, #ver = if_not_exists(#ver, :base) + :one, #upd = :now REMOVE #json, #exp')
    expect(parts.ConditionExpression).toBeUndefined()
    expect(Object.keys(parts.ExpressionAttributeNames).sort()).toEqual(['#exp', '#fields', '#json', '#upd', '#ver'])
    expect(Object.keys(parts.ExpressionAttributeValues ?? {}).sort()).toEqual([':base', ':now', ':one', ':val'])
  })

  it('bug 1: starts a new item at a random version, never at 1, so a version read before a delete cannot match it', () => {
    expect(setExpression(1, { nowMs: 0, firstVersion: 2 ** 40 }).ExpressionAttributeValues?.[':base']).toEqual({ N: String(2 ** 40 - 1) })
    const firsts = Array.from({ length: 50 }, () => Number(setExpression(1, { nowMs: 0, ifAbsent: true }).ExpressionAttributeValues?.[':base']?.N) + 1)
    for (const v of firsts) {
      expect(Number.isSafeInteger(v)).toBe(true)
      expect(v).toBeGreaterThan(2 ** 32)
      // A lifetime of writes after it stays exact.
      expect(v + 2 ** 40).toBeLessThan(Number.MAX_SAFE_INTEGER)
    }
    expect(new Set(firsts).size).toBe(50)
  })

  it('is create-only with ifAbsent (an expired item counts as absent)', () => {
    const parts = setExpression('x', { nowMs: 1500, ifAbsent: true, expiresAt: 10 })
    expect(parts.UpdateExpression).toBe('SET #json = :val, #ver = if_not_exists(#ver, :base) + :one, #upd = :now, #exp = :exp REMOVE #fields')
    expect(parts.ConditionExpression).toBe('(attribute_not_exists(#sk) OR #exp <= :nowSec)')
    expect(parts.ExpressionAttributeValues?.[':nowSec']).toEqual({ N: '1.5' })
    expect(parts.ExpressionAttributeNames['#sk']).toBe('key')
  })

  it('checks the version and liveness with ifVersion, and refuses both conditions at once', () => {
    expect(setExpression(1, { nowMs: 0, ifVersion: 7 }).ConditionExpression).toBe('#ver = :ifVersion AND (attribute_not_exists(#exp) OR #exp > :nowSec)')
    expect(() => setExpression(1, { nowMs: 0, ifVersion: 7, ifAbsent: true })).toThrow(WhimsyError)
  })
})

describe('update', () => {
  it('sets, adds and removes each field by its own path, on a live object only', () => {
    const parts = updateExpression({ set: { name: 'x' }, add: { visits: 1 }, remove: ['old'] }, { nowMs: 2000, ifVersion: 3 })
    expect(parts.UpdateExpression).toBe(
      'SET #fields.#f0 = :v0, #fields.#f1 = if_not_exists(#fields.#f1, :zero) + :v1, #ver = if_not_exists(#ver, :zero) + :one, #upd = :now REMOVE #fields.#f2',
    )
    expect(parts.ConditionExpression).toBe('attribute_exists(#fields) AND (attribute_not_exists(#exp) OR #exp > :nowSec) AND #ver = :ifVersion')
    expect(parts.ExpressionAttributeNames).toMatchObject({ '#f0': 'name', '#f1': 'visits', '#f2': 'old' })
    expect(parts.ExpressionAttributeValues).toMatchObject({ ':v0': { S: '"x"' }, ':v1': { N: '1' }, ':ifVersion': { N: '3' } })
  })

  it.each([
    ['nothing to change', {}],
    ['an unknown change', { inc: { a: 1 } }],
    ['a field in two changes', { set: { a: 1 }, remove: ['a'] }],
    ['an empty field name', { set: { '': 1 } }],
    ['a non-number add', { add: { a: '1' } }],
    ['an add DynamoDB cannot do exactly', { add: { a: 1e300 } }],
    ['a non-finite add', { add: { a: Number.NaN } }],
    ['remove as a string', { remove: 'a' }],
  ])('refuses %s', (_, changes) => {
    expect(() => updateExpression(changes as never, { nowMs: 0 })).toThrow(WhimsyError)
  })

  it('refuses more fields than one expression holds', () => {
    const set = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`field${i}`, i]))
    expect(() => updateExpression({ set }, { nowMs: 0 })).toThrow(/too many fields/)
  })

  it('makes the object an update creates from nothing', () => {
    expect(applyToEmpty({ set: { a: 'x' }, add: { n: 2, z: -0 }, remove: ['gone'] })).toEqual({ a: 'x', n: 2, z: 0 })
    expect(Object.is(applyToEmpty({ add: { z: -0 } }).z, 0)).toBe(true)
  })

  it('bug 2: refuses a "__proto__" field clearly, in set, add and remove, instead of storing or dropping it', () => {
    for (const changes of ['{"set":{"__proto__":{"isAdmin":true}}}', '{"add":{"__proto__":1}}', '{"remove":["__proto__"]}']) {
      expect(() => updateExpression(JSON.parse(changes), { nowMs: 0 }), changes).toThrow(/"__proto__" cannot be changed on its own.*kv\.set/)
      expect(() => applyToEmpty(JSON.parse(changes)), changes).toThrow(WhimsyError)
    }
  })
})

describe('delete', () => {
  it('is unconditional unless a version is given', () => {
    expect(deleteExpression({ nowMs: 0 })).toBeUndefined()
    expect(deleteExpression({ nowMs: 0, ifVersion: 2 })?.ConditionExpression).toBe('#ver = :ifVersion AND (attribute_not_exists(#exp) OR #exp > :nowSec)')
  })
})
