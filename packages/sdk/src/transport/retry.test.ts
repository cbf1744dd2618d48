import { describe, expect, it } from 'vitest'
import { WhimsyError } from '../errors.js'
import { jsonError } from './json-protocol.js'
import { isRetryableStatus, type Outcome, type RequestPolicy, withRetries } from './retry.js'

const FAST: RequestPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 200 }

/** Runs `outcomes` in order, one per attempt; records what each attempt was told. */
function scripted(outcomes: (Outcome<string> | Error)[]) {
  const seen: { number: number; answerLost: boolean }[] = []
  const attempt = async ({ number, answerLost }: { number: number; answerLost: boolean }) => {
    seen.push({ number, answerLost })
    const next = outcomes[number - 1]
    if (!next) throw new Error('no more outcomes')
    if (next instanceof Error) throw next
    return next
  }
  return { attempt, seen }
}

const served = (status: number, name: string) => ({
  ok: false as const,
  error: jsonError(status, new Headers(), JSON.stringify({ __type: `x#${name}`, message: name })),
  retry: isRetryableStatus(status, name),
})

describe('the retry policy', () => {
  it.each([
    [500, 'InternalServerError', true],
    [503, 'ServiceUnavailable', true],
    [429, 'TooManyRequests', true],
    [400, 'ThrottlingException', true],
    [400, 'ProvisionedThroughputExceededException', true],
    [400, 'ConditionalCheckFailedException', false],
    [400, 'ValidationException', false],
    [403, 'AccessDeniedException', false],
  ])('status %i %s retryable: %s', (status, name, retry) => {
    expect(isRetryableStatus(status, name)).toBe(retry)
  })

  it('retries a dropped connection and a 5xx, and says the answer may have been lost', async () => {
    const { attempt, seen } = scripted([new TypeError('fetch failed'), served(503, 'ServiceUnavailable'), { ok: true, value: 'done' }])
    expect(await withRetries(attempt, { policy: FAST })).toBe('done')
    expect(seen).toEqual([
      { number: 1, answerLost: false },
      { number: 2, answerLost: true },
      { number: 3, answerLost: true },
    ])
  })

  it('does not count throttling as a lost answer (nothing was done)', async () => {
    const { attempt, seen } = scripted([served(400, 'ThrottlingException'), { ok: true, value: 'done' }])
    expect(await withRetries(attempt, { policy: FAST })).toBe('done')
    expect(seen[1]).toEqual({ number: 2, answerLost: false })
  })

  it('gives up after the attempts, with the last error', async () => {
    const { attempt, seen } = scripted([served(503, 'A'), served(503, 'B'), served(503, 'C'), { ok: true, value: 'late' }])
    await expect(withRetries(attempt, { policy: FAST })).rejects.toMatchObject({ name: 'C' })
    expect(seen).toHaveLength(3)
  })

  it('does not retry what will fail again', async () => {
    const { attempt, seen } = scripted([served(400, 'ConditionalCheckFailedException'), { ok: true, value: 'x' }])
    await expect(withRetries(attempt, { policy: FAST })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' })
    expect(seen).toHaveLength(1)
  })

  it('ends a stalled attempt at its timeout as Network, after retrying it', async () => {
    let calls = 0
    const stalled = ({ signal }: { signal: AbortSignal }) =>
      new Promise<Outcome<string>>((_resolve, reject) => {
        calls++
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
    const error = await withRetries(stalled, { policy: { ...FAST, timeoutMs: 20 } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WhimsyError)
    expect(error).toMatchObject({ code: 'Network' })
    expect(calls).toBe(3)
  })

  it("honours the caller's signal: during an attempt and while waiting to retry", async () => {
    const during = new AbortController()
    const stalled = ({ signal }: { signal: AbortSignal }) =>
      new Promise<Outcome<string>>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
        during.abort()
      })
    await expect(withRetries(stalled, { signal: during.signal, policy: FAST })).rejects.toMatchObject({ code: 'Aborted' })

    const waiting = new AbortController()
    const slow: RequestPolicy = { ...FAST, baseDelayMs: 60_000, maxDelayMs: 60_000 }
    const failing = async () => {
      queueMicrotask(() => waiting.abort())
      return served(503, 'ServiceUnavailable')
    }
    await expect(withRetries(failing, { signal: waiting.signal, policy: slow, random: () => 1 })).rejects.toMatchObject({ code: 'Aborted' })
    const before = new AbortController()
    before.abort()
    await expect(withRetries(failing, { signal: before.signal, policy: FAST })).rejects.toMatchObject({ code: 'Aborted' })
  })
})

describe('JSON protocol errors', () => {
  it.each([
    [
      400,
      '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}',
      'ConditionalCheckFailedException',
      'The conditional request failed',
    ],
    [400, '{"__type":"NotAuthorizedException","message":"Invalid login token."}', 'NotAuthorizedException', 'Invalid login token.'],
    [400, '{"__type":"ValidationException","Message":"bad"}', 'ValidationException', 'bad'],
    [500, 'oops', 'InternalFailure', 'oops'],
    [403, '', 'UnknownError', 'UnknownError (HTTP 403)'],
  ])('%i %s is %s', (status, body, name, message) => {
    const e = jsonError(status, new Headers({ 'x-amzn-requestid': 'r1' }), body)
    expect(e).toMatchObject({ name, message, $metadata: { httpStatusCode: status, requestId: 'r1' } })
  })

  it('keeps the other fields of the body (CancellationReasons, Item)', () => {
    const e = jsonError(400, new Headers(), '{"__type":"x#TransactionCanceledException","message":"m","CancellationReasons":[{"Code":"None"}]}')
    expect(e.CancellationReasons).toEqual([{ Code: 'None' }])
  })
})
