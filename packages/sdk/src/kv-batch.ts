/**
 * Batch requests and their leftovers. BatchGetItem (≤ 100 keys) and BatchWriteItem (≤ 25
 * writes) may succeed with part of the work returned as `UnprocessedKeys`/`UnprocessedItems`
 * when the table is throttled; those are not errors, so the AWS SDK's own retry never sees
 * them. This resends them with exponential backoff and jitter, as AWS advises.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import { WhimsyError } from './errors.js'

export const BATCH_GET_LIMIT = 100
export const BATCH_WRITE_LIMIT = 25

export interface BackoffOptions {
  /** Sends after the first; default 8. */
  retries?: number
  /** Base delay in ms; default 50 (then 100, 200… capped at 2 s, each with full jitter). */
  baseMs?: number
  sleep?: (ms: number) => Promise<void>
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Sends `work`, then whatever `send` returns as left over, until nothing is left; gives up
 * with `TooManyRequests` after `retries` resends.
 */
export async function drain<W>(work: W, send: (work: W) => Promise<W | undefined>, options: BackoffOptions = {}): Promise<void> {
  const retries = options.retries ?? 8
  const base = options.baseMs ?? 50
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)))
  let left: W | undefined = work
  for (let attempt = 0; left !== undefined; attempt++) {
    if (attempt > retries) throw new WhimsyError('TooManyRequests', 'The data store kept part of a batch unprocessed (throttled). Wait a moment and try again.')
    if (attempt > 0) await sleep(Math.random() * Math.min(2000, base * 2 ** (attempt - 1)))
    left = await send(left)
  }
}
