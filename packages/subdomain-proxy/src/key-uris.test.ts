import { describe, expect, it } from 'vitest'
import { encodePath, encodeSegment, keyToUri, uriToKey } from './key-uris.js'

describe('key and path encoding', () => {
  it("encodes each segment as RFC 3986 wants, !'()* included, and keeps the slashes", () => {
    expect(encodeSegment("it's (1)*!.txt")).toBe('it%27s%20%281%29%2A%21.txt')
    expect(encodePath('/caf é/a+b?#%.txt')).toBe('/caf%20%C3%A9/a%2Bb%3F%23%25.txt')
    expect(encodePath('/')).toBe('/')
  })

  it('keyToUri is the key under one slash, and uriToKey undoes it for any key', () => {
    for (const key of ['a.txt', 'id:1/public/caf é/x (2).txt', 'עברית/٣/😀', 'a//b', ' lead/trail ']) {
      expect(keyToUri(key)).toBe(encodePath(`/${key}`))
      expect(uriToKey(keyToUri(key))).toBe(key)
    }
  })

  it('uriToKey answers undefined for a malformed escape instead of throwing', () => {
    expect(uriToKey('/a%E0%A4%A')).toBeUndefined()
  })
})
