/**
 * The one retry, timeout and abort policy for the SDK's own requests (issue 12): throttling,
 * 5xx and dropped connections are retried with exponential backoff and full jitter; every
 * attempt has a timeout (ending in `Network`); an AbortSignal from the public call ends the
 * request and the waits between attempts (ending in `Aborted`).
 */
import { isNetworkError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'

export interface RequestPolicy {
  /** Attempts in all, the first included (the AWS SDK's standard mode also makes 3). */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** Per attempt: a stalled connection must not hold a call forever. */
  timeoutMs: number
}

export const DEFAULT_POLICY: RequestPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 5_000, timeoutMs: 30_000 }

/** Error names that say "slow down", whatever the status. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
])

/** What one attempt ended in: an answer, or an error and whether to try again. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; retry: boolean }

export interface Attempt {
  /** Aborted by the caller's signal or this attempt's timeout. */
  signal: AbortSignal
  /** 1 for the first attempt. */
  number: number
  /** Whether an earlier attempt may have reached the server but its answer was lost. */
  answerLost: boolean
}

export function isRetryableStatus(status: number, errorName?: string): boolean {
  return status >= 500 || status === 429 || (errorName !== undefined && THROTTLING.has(errorName))
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the attempts run out. Network failures
 * (fetch's TypeError, resets) are retried; the caller classifies answers.
 */
export async function withRetries<T>(
  attempt: (a: Attempt) => Promise<Outcome<T>>,
  options: { signal?: AbortSignal; policy?: RequestPolicy; random?: () => number } = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_POLICY
  const random = options.random ?? Math.random
  let answerLost = false
  for (let n = 1; ; n++) {
    throwIfAborted(options.signal)
    const timeout = AbortSignal.timeout(policy.timeoutMs)
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
    let outcome: Outcome<T>
    try {
      outcome = await attempt({ signal, number: n, answerLost })
    } catch (e) {
      throwIfAborted(options.signal)
      if (timeout.aborted)
        outcome = { ok: false, error: new WhimsyError('Network', `No answer within ${policy.timeoutMs / 1000} s.`, { cause: e }), retry: true }
      else outcome = { ok: false, error: e, retry: isNetworkError(e) }
      answerLost = true
    }
    if (outcome.ok) return outcome.value
    if (!outcome.retry || n >= policy.attempts) throw outcome.error
    if (isServerError(outcome.error)) answerLost = true
    await sleep(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n), options.signal)
  }
}

function isServerError(e: unknown): boolean {
  return ((e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0) >= 500
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WhimsyError('Aborted', 'The request was cancelled.', { cause: signal.reason })
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new WhimsyError('Aborted', 'The request was cancelled.', { cause: signal.reason }))
    const done = () => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }
    const timer = setTimeout(done, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new WhimsyError('Aborted', 'The request was cancelled.', { cause: signal?.reason }))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
