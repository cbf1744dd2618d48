import { describe, expect, it } from 'vitest'
import { folderOf, keyToUri, publicKey, resolve, resolvePath, siteHandle, uriToKey } from './resolve.js'

const DOMAIN = 'whimsy.space'
const HOST = 'danielx.whimsy.space'
const ID = 'us-east-1:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'
const PREFIX = `${ID}/public/`

/** The invariant every answer must keep: a key, if any, is a plain file inside the public folder. */
function keyOf(host: string, uri: string): string | undefined {
  const r = resolve(host, uri, DOMAIN)
  if (r.kind !== 'key') return undefined
  const key = publicKey(ID, r.path)
  expect(key.startsWith(PREFIX)).toBe(true)
  const rest = key.slice(PREFIX.length).split('/')
  for (const segment of rest) {
    expect(segment).not.toBe('')
    expect(segment).not.toBe('.')
    expect(segment).not.toBe('..')
    expect(segment).not.toMatch(/[\\\u0000-\u001f]/)
  }
  return key
}

describe('resolve: the paths a site serves', () => {
  it.each([
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/blog/', 'blog/index.html'],
    ['/blog/post.html', 'blog/post.html'],
    ['/img/cat%20photo.png', 'img/cat photo.png'],
    ['/%E2%9C%A8.txt', '✨.txt'],
    ['/caf%C3%A9/', 'café/index.html'],
    ['/a+b.txt', 'a+b.txt'],
    ['/...', '...'],
    ['/.well-known/security.txt', '.well-known/security.txt'],
    ['/100%25.txt', '100%.txt'],
    ['/LICENSE', 'LICENSE'],
  ])('%s → %s', (uri, path) => {
    const r = resolve(HOST, uri, DOMAIN)
    expect(r).toMatchObject({ kind: 'key', handle: 'danielx', path })
    expect(keyOf(HOST, uri)).toBe(`${PREFIX}${path}`)
  })

  it('marks extension-less paths as possible folders, with an encoded Location', () => {
    expect(resolve(HOST, '/docs', DOMAIN)).toEqual({ kind: 'key', handle: 'danielx', path: 'docs', folder: { index: 'docs/index.html', location: '/docs/' } })
    expect(resolvePath('/a%20b/c d')).toMatchObject({ folder: { index: 'a b/c d/index.html', location: '/a%20b/c%20d/' } })
    expect(resolvePath('/docs/').ok && 'folder' in resolvePath('/docs/')).toBe(false)
    expect(folderOf('img/cat.png')).toBeUndefined()
  })

  it('ignores the case of the host', () => {
    for (const host of ['DanielX.Whimsy.Space', 'DANIELX.WHIMSY.SPACE', 'danielx.WHIMSY.space'])
      expect(resolve(host, '/', DOMAIN)).toMatchObject({ kind: 'key', handle: 'danielx' })
    expect(resolve('danielx.whimsy.space', '/', 'Whimsy.Space')).toMatchObject({ kind: 'key', handle: 'danielx' })
  })

  it('matches the local sites domain with its port', () => {
    expect(siteHandle('alice.localhost:4302', 'localhost:4302')).toBe('alice')
    expect(siteHandle('alice.localhost:4303', 'localhost:4302')).toBeUndefined()
    expect(siteHandle('alice.localhost', 'localhost:4302')).toBeUndefined()
  })
})

const HOSTILE_PATHS: string[] = [
  '/..',
  '/../',
  '/../x',
  '/a/../b',
  '/a/..',
  '/.',
  '/./',
  '/./a',
  '/a/./b',
  '/%2e%2e/x',
  '/%2E%2E/x',
  '/%2e%2E/',
  '/%2e/x',
  '/.%2e/x',
  '/%2e./x',
  '/a/%2e%2e/%2e%2e/b',
  '/%252e%252e/x',
  '/%252e/x',
  '/%252E%252E%252Fsecret',
  '/%2525252e',
  '/a%2fb',
  '/a%2F..%2Fb',
  '/..%2f..%2fsecret.txt',
  '/%2f',
  '/%2fetc%2fpasswd',
  '/a%5cb',
  '/a%5C..%5Cb',
  '/..%5c..%5csecret',
  '/a\\b',
  '/..\\x',
  '/\\\\evil.com',
  '//',
  '//evil.com',
  '//evil.com/x',
  '/a//b',
  '/a/b//',
  '///',
  '/%00',
  '/index.html%00.png',
  '/a\u0000b',
  '/%0a',
  '/%0d%0aSet-Cookie:%20x=1',
  '/a\tb',
  '/a\nb',
  '/%7f',
  '/%c2%85',
  '/%ff',
  '/%c0%ae%c0%ae/x',
  '/%e0%80%af',
  '/%',
  '/%zz',
  '/%u002e%u002e',
  '/a?b',
  '/a#b',
  '',
  'relative/path',
  'http://evil.com/x',
  '*',
  `/${'a'.repeat(901)}`,
]

describe('resolve: hostile paths are refused with 400', () => {
  it(`has at least 40 of them (${HOSTILE_PATHS.length})`, () => expect(HOSTILE_PATHS.length).toBeGreaterThanOrEqual(40))
  it.each(HOSTILE_PATHS.map((p) => [JSON.stringify(p), p]))('%s', (_, uri) => {
    const r = resolve(HOST, uri as string, DOMAIN)
    expect(r.kind).toBe('refuse')
    if (r.kind === 'refuse') expect(r.status).toBe(400)
    expect(keyOf(HOST, uri as string)).toBeUndefined()
  })
})

const HOSTILE_HOSTS: (string | undefined)[] = [
  undefined,
  '',
  'whimsy.space',
  'WHIMSY.SPACE',
  '.whimsy.space',
  'danielx.whimsy.space.',
  'danielx.whimsy.space:443',
  'danielx.whimsy.space:80',
  'danielx.whimsy.space:',
  'a.danielx.whimsy.space',
  'danielx..whimsy.space',
  'danielx.whimsy.space.evil.com',
  'danielx.evil.space',
  'danielxwhimsy.space',
  'evil.com',
  '-danielx.whimsy.space',
  'danielx-.whimsy.space',
  'www.whimsy.space',
  'api.whimsy.space',
  'briefcase.whimsy.space',
  'xn--80ak6aa92e.whimsy.space',
  'daniel_x.whimsy.space',
  'daniel x.whimsy.space',
  'dänielx.whimsy.space',
  'user@danielx.whimsy.space',
  'danielx.whimsy.space@evil.com',
  'danielx%2ewhimsy.space',
  '127.0.0.1',
  '[::1]',
  `${'a'.repeat(64)}.whimsy.space`,
]

describe('resolve: hosts that are no user site get the same 404', () => {
  it.each(HOSTILE_HOSTS.map((h) => [JSON.stringify(h), h]))('%s', (_, host) => {
    expect(resolve(host as string | undefined, '/', DOMAIN)).toEqual({ kind: 'refuse', status: 404, reason: 'No site at this address' })
  })
})

describe('resolve: nothing escapes the public folder', () => {
  it('holds for thousands of paths built from dangerous pieces', () => {
    const pieces = ['/', '.', '..', '%2e', '%2f', '%5c', '%25', '%00', '\\', 'a', 'public', '%2E%2e', '%252e', '?', '#', ':', ';', '%3A', '~', ' ', '%20']
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    let keys = 0
    for (let i = 0; i < 5000; i++) {
      let uri = '/'
      const n = 1 + Math.floor(random() * 8)
      for (let j = 0; j < n; j++) uri += pieces[Math.floor(random() * pieces.length)]
      if (keyOf(HOST, uri)) keys++
    }
    expect(keys).toBeGreaterThan(100) // the generator also makes plain paths
  })
})

describe('keys and uris', () => {
  it('publicKey refuses anything but an identityId', () => {
    expect(publicKey(ID, 'a.txt')).toBe(`${PREFIX}a.txt`)
    for (const bad of ['', '..', `${ID}/..`, 'us-east-1:../x', `../${ID}`, 'danielx', `${ID}/public`]) expect(() => publicKey(bad, 'a.txt')).toThrow()
  })

  it('keyToUri encodes every segment the way S3 expects, and uriToKey undoes it', () => {
    const key = `${PREFIX}caf é/it's (1)*.txt`
    const uri = keyToUri(key)
    expect(uri).toBe('/us-east-1%3A0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9/public/caf%20%C3%A9/it%27s%20%281%29%2A.txt')
    expect(uriToKey(uri)).toBe(key)
  })
})
