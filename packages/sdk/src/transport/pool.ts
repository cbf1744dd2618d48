/**
 * The one bounded worker pool of the SDK: copies and moves of a folder, the parts of a
 * multipart upload and the parts of a streamed upload all run through it.
 *
 * Hand-written, not a library (p-limit, p-map): what the callers need is the stop — no task
 * starts once one has failed or the signal has aborted, the tasks already running are always
 * waited for (a request abandoned half-way may still be carried out by S3), and the first
 * failure is the one reported. Every task's rejection is handled here, so none goes unhandled.
 */

export interface PoolOptions {
  /** No task starts once this has aborted; the running ones are still waited for. */
  signal?: AbortSignal
  /** Called once, with the first failure, while other tasks may still run (to abort them). */
  onFailure?: (error: unknown) => void
}

export interface Pool {
  /**
   * Starts `task` once fewer than the limit are running. Resolves `false`, without starting it,
   * when the pool has stopped (a task failed, or the signal aborted).
   */
  start(task: () => Promise<void>): Promise<boolean>
  /** Resolves once a task could start: `true`, or `false` when the pool has stopped. */
  ready(): Promise<boolean>
  /** Waits for every task started; then throws the first failure, if any. */
  settle(): Promise<void>
  /** Tasks running now (a finishing task still counts while its own code runs). */
  readonly running: number
  /** Whether a task has failed. */
  readonly failed: boolean
}

export function createPool(limit: number, options: PoolOptions = {}): Pool {
  if (!(limit >= 1)) throw new RangeError(`A pool needs a limit of at least 1 (got ${limit}).`)
  const inFlight = new Set<Promise<void>>()
  let failure: { error: unknown } | undefined
  const stopped = () => failure !== undefined || options.signal?.aborted === true

  const ready = async () => {
    while (inFlight.size >= limit && !stopped()) await Promise.race(inFlight)
    return !stopped()
  }

  return {
    ready,
    async start(task) {
      if (!(await ready())) return false
      const running: Promise<void> = Promise.resolve()
        .then(task)
        .then(undefined, (error: unknown) => {
          if (failure) return
          failure = { error }
          options.onFailure?.(error)
        })
        .finally(() => inFlight.delete(running))
      inFlight.add(running)
      return true
    },
    async settle() {
      while (inFlight.size > 0) await Promise.all(inFlight)
      if (failure) throw failure.error
    },
    get running() {
      return inFlight.size
    },
    get failed() {
      return failure !== undefined
    },
  }
}

/** Runs `work` on each item, at most `limit` at once, stopping as `createPool` does. */
export async function forEachInPool<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<void>, options: PoolOptions = {}): Promise<void> {
  const pool = createPool(limit, options)
  for (const item of items) if (!(await pool.start(() => work(item)))) break
  await pool.settle()
}
