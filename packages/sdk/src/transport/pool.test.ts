/** The one worker pool: bounded, stops on the first failure or abort, waits for what runs. */
import { describe, expect, it } from 'vitest'
import { createPool, forEachInPool } from './pool.js'

/** A task that runs until `release()`: the test decides when each one ends. */
function gate() {
  let release!: () => void
  let fail!: (e: unknown) => void
  const done = new Promise<void>((resolve, reject) => {
    release = resolve
    fail = reject
  })
  return { done, release, fail }
}

describe('worker pool', () => {
  it('runs at most `limit` tasks at once and all of them', async () => {
    const open = gate()
    let running = 0
    let most = 0
    const seen: number[] = []
    const all = forEachInPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++
      most = Math.max(most, running)
      await open.done
      seen.push(n)
      running--
    })
    await new Promise((resolve) => setImmediate(resolve)) // every task that could start has
    expect(running).toBe(3)
    open.release()
    await all
    expect(most).toBe(3)
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('starts nothing after the first failure, waits for the running ones, and throws the first', async () => {
    const gates = [gate(), gate()]
    const started: number[] = []
    const failures: unknown[] = []
    const pool = createPool(2, { onFailure: (e) => failures.push(e) })
    await pool.start(async () => {
      started.push(0)
      await gates[0]?.done
    })
    await pool.start(async () => {
      started.push(1)
      await gates[1]?.done
    })
    const third = pool.start(async () => {
      started.push(2)
    })
    gates[0]?.fail(new Error('first'))
    expect(await third).toBe(false)
    expect(pool.failed).toBe(true)
    let settled = false
    const settling = pool.settle().finally(() => {
      settled = true
    })
    await Promise.resolve()
    expect(settled).toBe(false) // task 1 still runs: settle waits for it
    gates[1]?.fail(new Error('second'))
    await expect(settling).rejects.toThrow('first')
    expect(started).toEqual([0, 1])
    expect(failures.map((e) => (e as Error).message)).toEqual(['first'])
  })

  it('starts nothing once the signal has aborted, and a synchronous throw is a failure like any other', async () => {
    const stop = new AbortController()
    const started: number[] = []
    await forEachInPool(
      [1, 2, 3],
      1,
      async (n) => {
        started.push(n)
        if (n === 1) stop.abort()
      },
      { signal: stop.signal },
    )
    expect(started).toEqual([1])
    await expect(
      forEachInPool([1], 1, () => {
        throw new Error('sync')
      }),
    ).rejects.toThrow('sync')
  })
})
