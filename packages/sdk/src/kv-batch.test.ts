import { describe, expect, it } from 'vitest'
import { WhimsyError } from './errors.js'
import { chunks, drain } from './kv-batch.js'

describe('batches', () => {
  it('chunks at the batch limits', () => {
    const keys = Array.from({ length: 251 }, (_, i) => i)
    expect(chunks(keys, 100).map((c) => c.length)).toEqual([100, 100, 51])
    expect(chunks(keys, 25)).toHaveLength(11)
    expect(chunks([], 25)).toEqual([])
  })

  it('resends leftovers with growing, jittered delays until none are left', async () => {
    const sent: string[][] = []
    const delays: number[] = []
    await drain(
      ['a', 'b', 'c'],
      async (work) => {
        sent.push(work)
        return work.length > 1 ? work.slice(1) : undefined
      },
      { baseMs: 100, sleep: async (ms) => void delays.push(ms) },
    )
    expect(sent).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']])
    expect(delays).toHaveLength(2)
    expect(delays[0]).toBeLessThanOrEqual(100)
    expect(delays[1]).toBeLessThanOrEqual(200)
  })

  it('gives up with TooManyRequests when leftovers never clear', async () => {
    let calls = 0
    const e = await drain(
      ['a'],
      async (w) => {
        calls++
        return w
      },
      { retries: 3, sleep: async () => {} },
    ).catch((err) => err)
    expect(e).toBeInstanceOf(WhimsyError)
    expect((e as WhimsyError).code).toBe('TooManyRequests')
    expect(calls).toBe(4)
  })
})
