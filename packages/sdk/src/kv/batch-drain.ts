/**
 * Batch requests and their leftovers. BatchGetItem (≤ 100 keys) and BatchWriteItem (≤ 25
 * writes) may succeed with part of the work returned as `UnprocessedKeys`/`UnprocessedItems`
 * when the table is throttled or a response reached its size cap; those are not errors, so the AWS SDK's own retry never sees
 * them. This resends them with exponential backoff and jitter, as AWS advises.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import { WhimsyError } from '../errors.js'

export const BATCH_GET_LIMIT = 100
export const BATCH_WRITE_LIMIT = 25

export interface BackoffOptions<W> {
  /** Resends in a row that process nothing before giving up; default 8. */
  retries?: number
  /** Base delay in ms; default 50 (then 100, 200… capped at 2 s, each with full jitter). */
  baseMs?: number
  sleep?: (ms: number) => Promise<void>
  /** How many requests a piece of work holds, to tell progress from none. */
  count: (work: W) => number
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Sends `work`, then whatever `send` returns as left over, until nothing is left. Only resends
 * that process nothing count against `retries` (and grow the delay): a response may leave work
 * over because it hit a size cap (BatchGetItem returns at most 16 MB, the local engine about
 * 1.4 MB), not only when throttled, and work that keeps shrinking finishes however many rounds
 * it takes. Gives up with `TooManyRequests` after `retries` resends in a row without progress.
 */
export async function drain<W>(work: W, send: (work: W) => Promise<W | undefined>, options: BackoffOptions<W>): Promise<void> {
  const retries = options.retries ?? 8
  const base = options.baseMs ?? 50
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)))
  let left: W | undefined = await send(work)
  let size = options.count(work)
  let stalls = 0
  while (left !== undefined) {
    const now = options.count(left)
    stalls = now < size ? 0 : stalls + 1
    size = now
    if (stalls > retries)
      throw new WhimsyError(
        'TooManyRequests',
        `The data store processed none of the last ${now} request(s) of a batch in ${retries + 1} tries in a row. Wait a moment and try again.`,
      )
    await sleep(Math.random() * Math.min(2000, base * 2 ** Math.max(0, stalls - 1)))
    left = await send(left)
  }
}
