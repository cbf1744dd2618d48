/**
 * The Cognito user-pool JSON API over `fetch`: one POST per operation, unsigned (user-pool
 * calls carry the app client id and tokens, never AWS credentials). Replaces
 * amazon-cognito-identity-js, whose user and session objects, bignum and `buffer` polyfill
 * cost more bytes than the dozen calls the SDK makes. Every call has a timeout and takes a
 * caller's `signal`; failures come back as errors `toWhimsyError` maps by Cognito's names.
 */
import { isNetworkError, toWhimsyError } from '../aws-errors.js'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'

/** A sign-in or a reset should never wait longer than this for one answer. */
export const COGNITO_TIMEOUT_MS = 15_000
/** Cognito throttling and 5xx (the local pool restarting) are retried this many times. */
const RETRIES = 2

export interface CallOptions {
  signal?: AbortSignal
  timeoutMs?: number
}

/** An error in the shape Cognito sends: `__type` becomes `name`, as the AWS SDK reports it. */
export class CognitoServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message)
    this.name = name
  }
}

export type CognitoCall = <T = Record<string, unknown>>(operation: string, body: Record<string, unknown>, options?: CallOptions) => Promise<T>

export function cognitoClient(config: Pick<WhimsyConfig, 'region' | 'endpoints'>): CognitoCall {
  const url = config.endpoints?.cognitoIdentityProvider ?? `https://cognito-idp.${config.region}.amazonaws.com/`
  return async function call<T>(operation: string, body: Record<string, unknown>, options: CallOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await once(url, operation, body, options)) as T
      } catch (e) {
        const retriable = e instanceof CognitoServiceError && (e.statusCode >= 500 || /Throttling|TooManyRequests/.test(e.name))
        if (!retriable || attempt >= RETRIES || options.signal?.aborted) throw e
        await pause(200 * 2 ** attempt, options.signal)
      }
    }
  }
}

async function once(url: string, operation: string, body: Record<string, unknown>, options: CallOptions): Promise<unknown> {
  options.signal?.throwIfAborted()
  const timeout = AbortSignal.timeout(options.timeoutMs ?? COGNITO_TIMEOUT_MS)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  let res: Response
  let text: string
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify(body),
      signal,
    })
    text = await res.text()
  } catch (e) {
    throw transportError(e, options.signal, timeout)
  }
  let parsed: Record<string, unknown> = {}
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    if (res.ok) throw new WhimsyError('Network', 'The user pool sent an answer that is not JSON.')
  }
  if (res.ok) return parsed
  // `__type` may carry a namespace (`com.amazonaws…#NotAuthorizedException`).
  const type =
    String(parsed.__type ?? res.headers.get('x-amzn-errortype') ?? '')
      .split('#')
      .pop()
      ?.split(':')[0] || `HTTP${res.status}`
  const message = String(parsed.message ?? parsed.Message ?? '')
  throw new CognitoServiceError(type, message, res.status)
}

function transportError(e: unknown, caller: AbortSignal | undefined, timeout: AbortSignal): WhimsyError {
  if (caller?.aborted) return new WhimsyError('Aborted', 'The request was cancelled.', { cause: e })
  if (timeout.aborted) return new WhimsyError('Network', 'The user pool did not answer in time. Check the connection and try again.', { cause: e })
  return isNetworkError(e) ? toWhimsyError(e) : new WhimsyError('Network', 'Could not reach the user pool. Check the connection and try again.', { cause: e })
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(new WhimsyError('Aborted', 'The request was cancelled.'))
      },
      { once: true },
    )
  })
}
