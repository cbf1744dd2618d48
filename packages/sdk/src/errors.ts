/**
 * The one error class of the SDK. `code` is stable (switch on it); `message` is written for a
 * person; `cause` keeps the original AWS or network error for debugging.
 */
export type WhimsyErrorCode =
  // configuration and input, refused before the network
  | 'InvalidConfig'
  | 'InvalidInput'
  | 'InvalidPath'
  | 'InvalidHandle'
  // accounts
  | 'NotSignedIn'
  | 'NotAuthorized'
  | 'UserNotFound'
  | 'UsernameExists'
  | 'NotConfirmed'
  | 'CodeMismatch'
  | 'CodeExpired'
  | 'InvalidPassword'
  | 'HandleTaken'
  // data
  | 'NotFound'
  | 'Forbidden'
  | 'Conflict'
  | 'QuotaExceeded'
  | 'Aborted'
  // transport
  | 'TooManyRequests'
  | 'Network'
  | 'Unknown'

export interface WhimsyErrorOptions {
  cause?: unknown
  /** The HTTP status behind the error, when there was one. */
  status?: number
  /** The file the failed call acted on (`/notes/a.txt`), when it was one. */
  path?: string
  /** The key-value key the failed call acted on, when it was one. */
  key?: string
}

/**
 * @example
 * try {
 *   await whimsy.auth.signIn({ username, password })
 * } catch (e) {
 *   if (e instanceof WhimsyError && e.code === 'NotAuthorized') showMessage(e.message)
 *   else throw e
 * }
 */
export class WhimsyError extends Error {
  override readonly name = 'WhimsyError'
  readonly code: WhimsyErrorCode
  readonly status?: number
  /** The file acted on, so an app can show which one failed without parsing the message. */
  readonly path?: string
  /** The key-value key acted on. */
  readonly key?: string

  constructor(code: WhimsyErrorCode, message: string, options: WhimsyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status
    if (options.path !== undefined) this.path = options.path
    if (options.key !== undefined) this.key = options.key
  }
}

/** Narrows `e` to a `WhimsyError`, optionally of one code. */
export function isWhimsyError(e: unknown, code?: WhimsyErrorCode): e is WhimsyError {
  return e instanceof WhimsyError && (code === undefined || e.code === code)
}
