import { describe, expect, it } from 'vitest'
import { DELETE_BATCH, decodeListedKey, deletionBatches } from './xml-keys.js'

describe('Regression (issue 11, finding 3): keys from listings', () => {
  it.each([
    ['a%0Db.txt', 'a\rb.txt'], // a CR, which XML would have turned into a LF
    ['a%07b', 'a\u0007b'],
    ['with+space', 'with space'], // S3's url encoding writes a space as "+"
    ['a%2Bb', 'a+b'],
    ['100%25', '100%'],
    ['cafe%CC%81', 'cafe\u0301'],
    ['us-east-1%3Aabc/x', 'us-east-1:abc/x'],
  ])('decodes %j to %j when the engine url-encoded the listing', (listed, key) => {
    expect(decodeListedKey(listed, 'url')).toBe(key)
  })

  it('takes keys as they are when the engine did not encode them', () => {
    expect(decodeListedKey('a+b 100%25.txt', undefined)).toBe('a+b 100%25.txt')
  })
})

describe('Regression (issue 11, finding 3): keys in a batch delete', () => {
  it('puts keys an XML body cannot carry alone, the rest 1,000 at a time', () => {
    const plain = Array.from({ length: DELETE_BATCH + 1 }, (_, i) => `id/f${i}`)
    const odd = ['id/line\nbreak', 'id/a\u0007b', 'id/cr\r', 'id/nel\u0085', 'id/sep\u2028', 'id/tab\t']
    const batches = deletionBatches([odd[0] as string, ...plain, ...odd.slice(1)])
    expect(batches.map((b) => [b.keys.length, b.alone])).toEqual([[DELETE_BATCH, false], [1, false], ...odd.map(() => [1, true])])
    expect(batches.filter((b) => b.alone).flatMap((b) => b.keys)).toEqual(odd)
    expect(batches.flatMap((b) => b.keys).sort()).toEqual([...plain, ...odd].sort())
  })

  it('keeps NFD accents, bidi controls and other scripts in the batch', () => {
    const keys = ['id/cafe\u0301', 'id/inv\u202efdp.exe', 'id/日本語', 'id/a+b c%']
    expect(deletionBatches(keys)).toEqual([{ keys, alone: false }])
    expect(deletionBatches([])).toEqual([])
  })
})
