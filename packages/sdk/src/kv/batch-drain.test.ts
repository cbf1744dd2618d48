import { describe, expect, it } from 'vitest'
import { WhimsyError } from '../errors.js'
import { chunks, drain } from './batch-drain.js'

describe('batches', () => {
  it('chunks at the batch limits', () => {
    const keys = Array.from({ length: 251 }, (_, i) => i)
    expect(chunks(keys, 100).map((c) => c.length)).toEqual([100, 100, 51])
    expect(chunks(keys, 25)).toHaveLength(11)
    expect(chunks([], 25)).toEqual([])
  })

  it('resends leftovers with short, jittered delays while they shrink, until none are left', async () => {
    const sent: string[][] = []
    const delays: number[] = []
    await drain(
      ['a', 'b', 'c'],
      async (work) => {
        sent.push(work)
        return work.length > 1 ? work.slice(1) : undefined
      },
      { baseMs: 100, sleep: async (ms) => void delays.push(ms), count: (w) => w.length },
    )
    expect(sent).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']])
    expect(delays).toHaveLength(2)
    expect(delays[0]).toBeLessThanOrEqual(100)
    expect(delays[1]).toBeLessThanOrEqual(100)
  })

  it('bug 3: never gives up while every response makes progress, however many rounds it takes', async () => {
    // As the local engine answers a BatchGetItem of large items: a few per response, the rest left over.
    const work = Array.from({ length: 40 }, (_, i) => i)
    let calls = 0
    await drain(
      work,
      async (w) => {
        calls++
        return w.length > 4 ? w.slice(4) : undefined
      },
      { retries: 3, sleep: async () => {}, count: (w) => w.length },
    )
    expect(calls).toBe(10)
  })

  it('bug 3: counts only resends without progress, and starts counting again after progress', async () => {
    // Responses that process nothing, 3 in a row (the budget), between bits of progress: fine;
    // then 4 in a row: gives up.
    const script = [10, 10, 10, 9, 9, 9, 9, 8, 8, 8, 8, 8]
    const delays: number[] = []
    let calls = 0
    const e = await drain(
      Array.from({ length: 10 }, (_, i) => i),
      async (w) => {
        const n = script[calls++] as number
        return w.slice(w.length - n)
      },
      { retries: 3, baseMs: 100, sleep: async (ms) => void delays.push(ms), count: (w) => w.length },
    ).catch((err: unknown) => err)
    expect(calls).toBe(12)
    expect(e).toBeInstanceOf(WhimsyError)
    expect((e as WhimsyError).code).toBe('TooManyRequests')
    expect((e as WhimsyError).message).not.toMatch(/throttl/i)
    expect((e as WhimsyError).message).toContain('8 request(s)')
    // The delay grows with responses in a row without progress, and falls back after progress.
    expect(delays[2]).toBeLessThanOrEqual(400)
    expect(delays[3]).toBeLessThanOrEqual(100)
  })

  it('gives up with TooManyRequests when leftovers never clear', async () => {
    let calls = 0
    const e = await drain(
      ['a'],
      async (w) => {
        calls++
        return w
      },
      { retries: 3, sleep: async () => {}, count: (w) => w.length },
    ).catch((err) => err)
    expect(e).toBeInstanceOf(WhimsyError)
    expect((e as WhimsyError).code).toBe('TooManyRequests')
    expect(calls).toBe(4)
  })
})
