import { describe, expect, it } from 'vitest'
import { WhimsyError } from '../errors.js'
import {
  addFailure,
  checkItemSize,
  checkJson,
  decodeValue,
  encodeField,
  encodeValue,
  expirySeconds,
  isExpired,
  itemSize,
  type JsonValue,
  MAX_ITEM_BYTES,
  toJsonText,
  tooLargeMessage,
} from './values.js'

/** Encodes as the SDK stores it, then through the JSON wire DynamoDB speaks, then back. */
function roundTrip(value: JsonValue): JsonValue | undefined {
  const item = JSON.parse(JSON.stringify(encodeValue(value)))
  return decodeValue(item)
}

describe('value representation', () => {
  it.each<[string, JsonValue]>([
    ['an empty string', ''],
    ['an object with empty strings', { a: '', '': '' }],
    ['nested empty objects and arrays', { a: {}, b: [], c: { d: {} } }],
    ['an empty object', {}],
    ['-0', -0],
    ['-0 in a field', { n: -0 }],
    ['-0 nested', [{ a: [-0] }]],
    ['a number beyond 38 digits of DynamoDB', 1.2345678901234567e300],
    ['a field beyond DynamoDB number range', { big: 1e300, tiny: 5e-324, neg: -1e-200 }],
    ['integers past 2^53', { n: 2 ** 60, m: 2 ** 64 + 2 ** 12 }],
    ['a string that looks like a number', { s: '5', t: '1e3' }],
    ['null, booleans', { n: null, t: true, f: false }],
    ['null alone', null],
    ['an array', [1, 'two', { three: 3 }, [], null]],
    ['unicode', { 日本: '😀', e: '\u0000' }],
    ['a lone surrogate in a field name', { '\ud800': 1 }],
    ['a long field name', { ['k'.repeat(300)]: 1 }],
    ['floats', { a: 0.1, b: 1e-7, c: 123456.789, d: -42.5 }],
  ])('round-trips %s exactly', (_, value) => {
    const back = roundTrip(value)
    expect(back).toEqual(value)
    expect(JSON.stringify(back)).toBe(JSON.stringify(value))
    expect(toJsonText(back as JsonValue)).toBe(toJsonText(value))
    if (typeof value === 'number') expect(Object.is(back, value)).toBe(true)
    if (value && typeof value === 'object' && 'n' in value && typeof value.n === 'number') expect(Object.is((back as { n: number }).n, value.n)).toBe(true)
  })

  it('keeps plain objects as fields (numbers as DynamoDB numbers) and everything else as JSON text', () => {
    expect(encodeValue({ visits: 3, name: 'x' })).toEqual({ fields: { M: { visits: { N: '3' }, name: { S: '"x"' } } } })
    expect(encodeValue([1])).toEqual({ json: { S: '[1]' } })
    expect(encodeValue('x')).toEqual({ json: { S: '"x"' } })
    // A field name an update expression cannot address sends the whole object to JSON text.
    expect(encodeValue({ '': 1 })).toEqual({ json: { S: '{"":1}' } })
    expect(encodeField(-0)).toEqual({ S: '-0' })
    expect(encodeField(1e21)).toEqual({ S: '1e+21' })
    expect(encodeField(2 ** 60)).toEqual({ N: '1152921504606847000' })
  })

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity in a field', { a: Number.POSITIVE_INFINITY }],
    ['a bigint', 1n],
    ['a function', () => 1],
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['undefined in an array', [1, undefined]],
    ['a symbol', Symbol('x')],
  ])('refuses %s as not JSON', (_, value) => {
    expect(() => checkJson(value, 'x')).toThrow(WhimsyError)
  })

  it('refuses cycles, but not the same object twice', () => {
    const shared = { a: 1 }
    expect(checkJson({ x: shared, y: shared }, 'x')).toBeTruthy()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => checkJson(cyclic, 'x')).toThrow(/cycle/)
  })

  it('bug 2: round-trips a "__proto__" field as an ordinary own field, never as the prototype', () => {
    const value = JSON.parse('{"__proto__":{"isAdmin":true},"a":1}') as JsonValue
    expect(checkJson(value, 'x')).toBe(value)
    // Stored whole as JSON text, which every engine takes.
    expect(encodeValue(value)).toEqual({ json: { S: '{"__proto__":{"isAdmin":true},"a":1}' } })
    const back = roundTrip(value) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(back.isAdmin).toBeUndefined()
    expect(Object.keys(back)).toEqual(['__proto__', 'a'])
    expect(back).toEqual(value)
    // A fields map that holds one (as SDK versions before this fix stored an update's) reads as a field too.
    const stored = JSON.parse('{"fields":{"M":{"__proto__":{"S":"{\\"isAdmin\\":true}"},"a":{"N":"1"}}}}')
    const read = decodeValue(stored) as Record<string, unknown>
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype)
    expect(read.isAdmin).toBeUndefined()
    expect(read).toEqual(value)
    expect(JSON.stringify(read)).toBe('{"__proto__":{"isAdmin":true},"a":1}')
  })

  it('drops undefined fields, as JSON.stringify does', () => {
    expect(roundTrip(checkJson({ a: 1, b: undefined }, 'x'))).toEqual({ a: 1 })
  })
})

describe('sizes and expiry', () => {
  it('counts names and values as DynamoDB does', () => {
    expect(itemSize({ ab: { S: 'héllo' } })).toBe(2 + 6)
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + 1 + 1 + 1)
  })

  it('refuses an item over 400 KB naming the limit, and accepts one just under', () => {
    const near = 'x'.repeat(MAX_ITEM_BYTES - 300)
    expect(() => checkItemSize(':k', encodeValue(near), 'kv key "k"')).not.toThrow()
    expect(() => checkItemSize(':k', encodeValue('x'.repeat(MAX_ITEM_BYTES)), 'kv key "k"')).toThrow(/400 KB \(409,600 bytes/)
    // The key counts too.
    expect(() => checkItemSize(`:${'k'.repeat(1000)}`, encodeValue('x'.repeat(MAX_ITEM_BYTES - 1000)), 'kv key')).toThrow(WhimsyError)
  })

  it('bug 7: names the limit also when the size is not known before the request', () => {
    expect(tooLargeMessage('kv key "k"')).toMatch(/400 KB \(409,600 bytes/)
  })

  it('rounds expiry up to whole seconds and treats the moment itself as expired', () => {
    expect(expirySeconds(new Date(1_000_001))).toBe(1001)
    expect(isExpired({ expiresAt: { N: '1001' } }, 1_000_999)).toBe(false)
    expect(isExpired({ expiresAt: { N: '1001' } }, 1_001_000)).toBe(true)
    expect(isExpired({}, Number.MAX_SAFE_INTEGER)).toBe(false)
  })
})

describe('add on a stored field', () => {
  it('bug 6: tells a number kept as text (-0, 1e21) from a field that is no number', () => {
    const item = { fields: { M: { z: { S: '-0' }, big: { S: '1e+21' }, s: { S: '"5"' }, n: { N: '3' } } } }
    expect(addFailure(item, ['n', 'z'])).toEqual({ field: 'z', stored: 'number', text: '-0' })
    expect(addFailure(item, ['big'])).toEqual({ field: 'big', stored: 'number', text: '1e+21' })
    expect(addFailure(item, ['missing', 's'])).toEqual({ field: 's', stored: 'other' })
    expect(addFailure(item, ['n', 'missing'])).toBeUndefined()
    expect(addFailure({ json: { S: '[]' } }, ['n'])).toBeUndefined()
    expect(addFailure(undefined, ['n'])).toBeUndefined()
  })
})
