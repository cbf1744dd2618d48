import { describe, expect, it } from 'vitest'
import { isLoopbackHost, isSitesHost, parseHost } from './local-hosts.js'

describe('Host names the local cloud answers (issue 11, finding 5)', () => {
  it('parses name and port', () => {
    expect(parseHost('LocalHost:4300')).toEqual({ name: 'localhost', port: 4300 })
    expect(parseHost('[::1]:80')).toEqual({ name: '[::1]', port: 80 })
    expect(parseHost('127.0.0.1')).toEqual({ name: '127.0.0.1', port: undefined })
    for (const bad of [undefined, '', 'a b', 'user@localhost:1', 'localhost:99999', 'localhost:', 'localhost/x', '[::1'])
      expect(parseHost(bad), String(bad)).toBeUndefined()
  })

  it.each([
    ['127.0.0.1:4301', true, true],
    ['localhost:4301', true, true],
    ['[::1]:4301', true, false],
    ['alice.localhost:4302', false, true],
    ['ALICE.LOCALHOST:4302', false, true],
    ['a.alice.localhost:4302', false, true],
    ['evil.example:4301', false, false],
    ['127.0.0.1.evil.example:4301', false, false],
    ['localhost.evil.example', false, false],
    ['evil_.localhost:4302', false, false],
    ['.localhost:4302', false, false],
    [undefined, false, false],
  ])('%s: API/app %s, sites %s', (host, loopback, sites) => {
    expect(isLoopbackHost(host)).toBe(loopback)
    expect(isSitesHost(host)).toBe(sites)
  })
})
