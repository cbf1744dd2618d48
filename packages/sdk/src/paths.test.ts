import { describe, expect, it } from 'vitest'
import { WhimsyError } from './errors.js'
import { keyOf, nameOf, normalizePath, parentOf, pathOfKey, placeOf, prefixOf, printable, sitePathOf } from './paths.js'

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

describe('Regression (issue 11, finding 3): names that display as something else are never created', () => {
  it.each([
    ['\u202a', 'LEFT-TO-RIGHT EMBEDDING'],
    ['\u202b', 'RIGHT-TO-LEFT EMBEDDING'],
    ['\u202c', 'POP DIRECTIONAL FORMATTING'],
    ['\u202d', 'LEFT-TO-RIGHT OVERRIDE'],
    ['\u202e', 'RIGHT-TO-LEFT OVERRIDE'],
    ['\u2066', 'LEFT-TO-RIGHT ISOLATE'],
    ['\u2067', 'RIGHT-TO-LEFT ISOLATE'],
    ['\u2068', 'FIRST STRONG ISOLATE'],
    ['\u2069', 'POP DIRECTIONAL ISOLATE'],
    ['\u200e', 'LEFT-TO-RIGHT MARK'],
    ['\u200f', 'RIGHT-TO-LEFT MARK'],
    ['\u061c', 'ARABIC LETTER MARK'],
  ])('refuses bidi control %j (%s), naming it', (char, name) => {
    const code = `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
    expect(reason(`/docs/invoice${char}fdp.exe`)).toContain(`File names cannot contain ${code} (${name}): it can make a name display as something else.`)
    expect(reason(`/folder${char}/a.txt`)).toContain(code) // in any segment
  })

  it.each([
    ['\u2028', 'U+2028 (LINE SEPARATOR)'],
    ['\u2029', 'U+2029 (PARAGRAPH SEPARATOR)'],
  ])('refuses separator %j, naming it', (char, named) => {
    expect(reason(`/a${char}b.txt`)).toContain(`File names cannot contain ${named}: it breaks a name across lines.`)
  })

  it.each([
    ['\u0007', 'U+0007'],
    ['\n', 'U+000A'],
    ['\r', 'U+000D'],
    ['\u0085', 'U+0085'],
    ['\u009b', 'U+009B'],
  ])('still refuses control character %j, naming it', (char, code) => {
    expect(reason(`/a${char}b.txt`)).toMatch(new RegExp(`control characters.*${code.replace('+', '\\+')}`))
  })

  it('never echoes an invisible character in a message', () => {
    const message = reason('/invoice\u202efdp.exe')
    expect(message).not.toMatch(/[\u202e]/)
    expect(message).toContain('"/invoice\\u202Efdp.exe"')
    expect(printable('/a\u0007b\u2028c\u200fd')).toBe('/a\\u0007b\\u2028c\\u200Fd')
  })

  it.each([
    ['/invisible\u200b.txt'], // zero-width space: not a bidi control, it does not reorder text
    ['/שלום.txt'], // right-to-left scripts themselves are names like any other
    ['/مرحبا/ملف.txt'],
  ])('keeps other names such as %j', (path) => {
    expect(normalizePath(path, ID)).toBe(path)
  })
})

describe('Regression (issue 11, finding 3): places named by an exact key', () => {
  it.each([
    ['an NFD accent', `${ID}/cafe\u0301.txt`, '/cafe\u0301.txt'],
    ['a control character', `${ID}/a\u0007b.txt`, '/a\u0007b.txt'],
    ['a newline', `${ID}/line\nbreak.txt`, '/line\nbreak.txt'],
    ['a bidi override', `${ID}/invoice\u202efdp.exe`, '/invoice\u202efdp.exe'],
    ['a line separator', `${ID}/a\u2028b`, '/a\u2028b'],
    ['an empty segment', `${ID}/a//b.txt`, '/a//b.txt'],
  ])('takes a file key with %s exactly as stored', (_what, key, path) => {
    expect(placeOf(ID, { key })).toEqual({ id: ID, file: key, folder: `${key}/`, path })
  })

  it('takes a folder key (ending in "/") as a folder only, and the root key as the root', () => {
    expect(placeOf(ID, { key: `${ID}/cafe\u0301/` })).toEqual({ id: ID, folder: `${ID}/cafe\u0301/`, path: '/cafe\u0301' })
    expect(placeOf(ID, { key: `${ID}/` })).toEqual({ id: ID, folder: `${ID}/`, path: '/' })
  })

  it('maps path strings through the rules, as before', () => {
    expect(placeOf(ID, '/cafe\u0301.txt')).toEqual({ id: ID, file: `${ID}/caf\u00e9.txt`, folder: `${ID}/caf\u00e9.txt/`, path: '/caf\u00e9.txt' })
    expect(placeOf(ID, '/')).toEqual({ id: ID, folder: `${ID}/`, path: '/' })
    expect(() => placeOf(ID, '/a\u0007b.txt')).toThrow(WhimsyError)
  })

  const OTHER = 'us-east-1:99999999-8888-4777-8666-555555555555'
  it.each([
    ["another user's file", { key: `${OTHER}/notes/todo.txt` }, /not in your folder/],
    ["another user's root", { key: `${OTHER}/` }, /not in your folder/],
    ['the identity id without its slash', { key: ID }, /not in your folder/],
    ['a key that only starts like the identity id', { key: `${ID}0/x.txt` }, /not in your folder/],
    ['a key outside every folder', { key: 'x.txt' }, /not in your folder/],
    ['an empty key', { key: '' }, /not in your folder/],
    ['a climb out with ".."', { key: `${ID}/../${OTHER}/notes/todo.txt` }, /"\.\." segment/],
    ['a "." segment', { key: `${ID}/./a.txt` }, /"\.\." segment/],
    ['a NUL', { key: `${ID}/a\u0000b` }, /NUL/],
    ['a broken surrogate', { key: `${ID}/\ud800.txt` }, /broken Unicode/],
    ['an over-long key', { key: `${ID}/${'x'.repeat(1024 - 46)}` }, /at most 1024/],
    ['a key that is not a string', { key: 42 }, /not a path/],
    ['an object without a key', { path: '/notes/todo.txt' }, /not a path/],
    ['null', null, /not a path/],
  ])('refuses %s with InvalidPath', (_what, input, message) => {
    let error: unknown
    try {
      placeOf(ID, input as { key: string })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(WhimsyError)
    expect((error as WhimsyError).code).toBe('InvalidPath')
    expect((error as WhimsyError).message).toMatch(message)
  })

  it('accepts a key of exactly 1,024 bytes', () => {
    const key = `${ID}/${'x'.repeat(1024 - 47)}`
    expect(placeOf(ID, { key }).file).toBe(key)
  })
})
