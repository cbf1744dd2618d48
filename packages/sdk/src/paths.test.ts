import { describe, expect, it } from 'vitest'
import { WhimsyError } from './errors.js'
import { keyOf, nameOf, normalizePath, parentOf, pathOfKey, prefixOf, sitePathOf } from './paths.js'

const ID = 'us-east-1:0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b'

function reason(input: unknown): string {
  try {
    normalizePath(input, ID)
  } catch (e) {
    if (e instanceof WhimsyError && e.code === 'InvalidPath') return e.message
    throw e
  }
  return 'valid'
}

describe('normalizePath', () => {
  it.each([
    ['/', '/'],
    ['/notes/todo.txt', '/notes/todo.txt'],
    ['/notes/', '/notes'],
    ['/with space/a+b?c#d%e:f.txt', '/with space/a+b?c#d%e:f.txt'],
    ['/日本語/ファイル.txt', '/日本語/ファイル.txt'],
    ['/cafe\u0301', '/caf\u00e9'], // NFD → NFC
    ['/...', '/...'],
    ['/.hidden', '/.hidden'],
  ])('%j → %j', (input, expected) => {
    expect(normalizePath(input, ID)).toBe(expected)
  })

  it.each([
    ['', /empty/],
    ['notes/todo.txt', /starts with "\/"/],
    ['//a', /empty segments/],
    ['/a//b', /empty segments/],
    ['/a/./b', /"\." segments/],
    ['/a/../b', /"\.\." segments/],
    ['/..', /"\.\." segments/],
    ['/a\u0000b', /control characters/],
    ['/a\nb', /control characters/],
    ['/a\tb', /control characters/],
    ['/a\u007fb', /control characters/],
    ['/\ud800', /broken Unicode/],
    [`/${'x'.repeat(1024 - 46 - 1)}`, /too long/],
    [42, /must be a string/],
  ])('refuses %j', (input, message) => {
    expect(reason(input)).toMatch(message)
  })

  it('accepts a key of exactly 1,024 bytes counting the prefix and a folder slash', () => {
    const longest = `/${'x'.repeat(1024 - 46 - 2)}`
    expect(normalizePath(longest, ID)).toBe(longest)
    expect(reason(`/${'é'.repeat(489)}`)).toMatch(/too long/) // 2 bytes each
  })
})

describe('key mapping', () => {
  it('maps paths to keys under the identity and back', () => {
    expect(keyOf(ID, '/notes/todo.txt')).toBe(`${ID}/notes/todo.txt`)
    expect(pathOfKey(ID, `${ID}/notes/todo.txt`)).toBe('/notes/todo.txt')
    expect(pathOfKey(ID, `${ID}/notes/`)).toBe('/notes')
    expect(prefixOf(ID, '/')).toBe(`${ID}/`)
    expect(prefixOf(ID, '/notes')).toBe(`${ID}/notes/`)
    expect(() => keyOf(ID, '/')).toThrow(/folder/)
  })

  it('names and parents', () => {
    expect(nameOf('/notes/todo.txt')).toBe('todo.txt')
    expect(parentOf('/notes/todo.txt')).toBe('/notes')
    expect(parentOf('/a')).toBe('/')
  })

  it('gives site paths only for public files', () => {
    expect(sitePathOf('/public/a/b.html')).toBe('/a/b.html')
    expect(sitePathOf('/public')).toBe('/')
    expect(() => sitePathOf('/publicity.txt')).toThrow(/private/)
    expect(() => sitePathOf('/notes/a.txt')).toThrow(/private/)
  })
})
