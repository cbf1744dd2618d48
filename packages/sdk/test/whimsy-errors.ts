/** Test helpers: what a call rejected with, as a `WhimsyError` (anything else fails the test). */
import { WhimsyError, type WhimsyErrorCode } from '../src/index.js'

export async function errorOf(promise: Promise<unknown>): Promise<WhimsyError> {
  try {
    await promise
  } catch (e) {
    if (e instanceof WhimsyError) return e
    throw e
  }
  throw new Error('expected a WhimsyError')
}

export async function codeOf(promise: Promise<unknown>): Promise<WhimsyErrorCode> {
  return (await errorOf(promise)).code
}
