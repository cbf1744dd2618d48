import { describe, expect, it } from 'vitest'
import { WhimsyError } from '../errors.js'
import { appKey, checkAppName, compareUtf8, isWellFormed, namespacePrefix, startPosition, storedKey } from './keys.js'

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    return e instanceof WhimsyError ? e.code : 'not a WhimsyError'
  }
  return undefined
}

describe('storedKey', () => {
  it.each([
    ['settings/theme', ':settings/theme'],
    ['a:b', ':a:b'],
    [' ', ': '],
    ['日本語', ':日本語'],
    ['😀', ':😀'],
  ])('stores %j in the root namespace as %j', (key, stored) => {
    expect(storedKey(namespacePrefix(''), key)).toBe(stored)
  })

  it.each([[''], [null], [undefined], [42], [{}], ['\ud800'], ['a\udc00b']])('refuses %j', (key) => {
    expect(codeOf(() => storedKey(':', key))).toBe('InvalidInput')
  })

  it('counts the 1,024-byte limit in UTF-8 bytes, namespace included', () => {
    expect(storedKey(':', 'a'.repeat(1023))).toHaveLength(1024)
    expect(codeOf(() => storedKey(':', 'a'.repeat(1024)))).toBe('InvalidInput')
    // 341 three-byte characters = 1,023 bytes; one more is over.
    expect(storedKey(':', '日'.repeat(341))).toBeTruthy()
    expect(codeOf(() => storedKey(':', '日'.repeat(342)))).toBe('InvalidInput')
    expect(() => storedKey('paint:', 'a'.repeat(1019))).toThrow(/at most 1018 bytes.*1,024 bytes, including the "paint:" namespace/)
  })
})

describe('app namespaces', () => {
  it.each([['paint'], ['my-app'], ['com.example.notes'], ['a'], ['x'.repeat(64)], ['0day']])('accepts the app name %j', (name) => {
    expect(checkAppName(name)).toBe(name)
  })

  it.each([[''], ['Paint'], ['a:b'], ['-x'], ['.x'], ['x'.repeat(65)], ['a/b'], [' a'], [null]])('refuses the app name %j', (name) => {
    expect(codeOf(() => checkAppName(name))).toBe('InvalidInput')
  })

  it('never lets two namespaces address the same stored key, whatever the keys hold', () => {
    const spaces = ['', 'paint', 'paint-2', 'p', 'pa', 'notes', 'a.b']
    const keys = ['x', ':', 'paint:x', ':x', 'x:y', '', 'aint:x']
    const owner = new Map<string, string>()
    for (const ns of spaces)
      for (const key of keys) {
        if (key === '') continue
        const stored = storedKey(namespacePrefix(ns), key)
        expect(owner.get(stored) ?? ns).toBe(ns)
        owner.set(stored, ns)
        // The namespace is the text before the first separator: recoverable from any stored key.
        expect(stored.slice(0, stored.indexOf(':'))).toBe(ns)
        for (const other of spaces) if (other !== ns) expect(appKey(namespacePrefix(other), stored)).toBeUndefined()
      }
  })
})

describe('ordering and list start', () => {
  it('compares by UTF-8 bytes, as DynamoDB sorts keys (not by UTF-16 code units)', () => {
    // U+FF5E (3 bytes EF BD 9E) sorts before U+1F600 (4 bytes F0 9F 98 80) in UTF-8, after it in UTF-16.
    expect(compareUtf8('\uff5e', '😀')).toBeLessThan(0)
    expect('\uff5e' < '😀').toBe(false)
    expect(compareUtf8('a', 'ab')).toBeLessThan(0)
    expect(compareUtf8('b', 'b')).toBe(0)
  })

  it.each([
    [':s/', undefined, 'all'],
    [':s/', ':s/a', 'after'],
    [':s/', ':r', 'all'],
    [':s/', ':t', 'none'],
    [':s/', ':s', 'all'],
  ] as const)('lists prefix %j after %j from %j', (prefix, after, position) => {
    expect(startPosition(prefix, after)).toBe(position)
  })

  it('tells well-formed Unicode from lone surrogates', () => {
    expect(isWellFormed('a😀b')).toBe(true)
    expect(isWellFormed('\ud83d')).toBe(false)
    expect(isWellFormed('\ude00x')).toBe(false)
  })
})
