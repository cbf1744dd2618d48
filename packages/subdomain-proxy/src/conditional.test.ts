import { describe, expect, it } from 'vitest'
import { noneMatchHits, parseRange } from './conditional.js'

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-1000', 100, { start: 0, end: 99 }],
    ['bytes=50-5000', 100, { start: 50, end: 99 }],
    ['BYTES=1-1', 100, { start: 1, end: 1 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    [undefined, 100, undefined],
    ['bytes=0-1,5-6', 100, undefined],
    ['items=0-1', 100, undefined],
    ['bytes=5-1', 100, undefined],
    ['bytes=-', 100, undefined],
    ['bytes=abc', 100, undefined],
  ])('%s of %i bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected)
  })
})

describe('noneMatchHits', () => {
  it.each([
    ['"abc"', '"abc"', true],
    ['W/"abc"', '"abc"', true],
    ['"x", "abc"', '"abc"', true],
    ['*', '"abc"', true],
    ['"abd"', '"abc"', false],
    [undefined, '"abc"', false],
    ['"abc"', undefined, false],
  ])('%s vs %s → %s', (header, etag, expected) => {
    expect(noneMatchHits(header, etag)).toBe(expected)
  })
})
