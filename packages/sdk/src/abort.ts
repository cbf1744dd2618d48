/**
 * The one answer to a cancelled call: `WhimsyError('Aborted')`. A signal that is already
 * aborted rejects before any request (or credential fetch) is made; one that fires during a
 * request reaches the transport as its abort signal, whose AbortError `aws-errors.ts` maps to
 * the same code.
 */
import { WhimsyError } from './errors.js'

export function abortedError(call: string, signal: AbortSignal): WhimsyError {
  return new WhimsyError('Aborted', `${call} was cancelled.`, { cause: signal.reason })
}

/** Throws the SDK's abort error if `signal` has already fired. */
export function checkNotAborted(call: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(call, signal)
}
