/**
 * Every AWS, Cognito, handle-service and network failure becomes a `WhimsyError` here, in one
 * place, so each status and service error name maps to the same code everywhere in the SDK.
 */
import { WhimsyError, type WhimsyErrorCode } from './errors.js'

interface AwsLikeError {
  name?: string
  code?: string
  message?: string
  statusCode?: number
  $metadata?: { httpStatusCode?: number }
  $response?: { statusCode?: number }
  cause?: unknown
}

/** Service error names (S3, DynamoDB, Cognito) and the code each one is. */
const BY_NAME: Record<string, WhimsyErrorCode> = {
  // Cognito user pools
  UserNotFoundException: 'UserNotFound',
  NotAuthorizedException: 'NotAuthorized',
  UsernameExistsException: 'UsernameExists',
  AliasExistsException: 'UsernameExists',
  CodeMismatchException: 'CodeMismatch',
  ExpiredCodeException: 'CodeExpired',
  InvalidPasswordException: 'InvalidPassword',
  UserNotConfirmedException: 'NotConfirmed',
  PasswordResetRequiredException: 'NotAuthorized',
  TooManyRequestsException: 'TooManyRequests',
  TooManyFailedAttemptsException: 'TooManyRequests',
  LimitExceededException: 'TooManyRequests',
  CodeDeliveryFailureException: 'Network',
  InvalidParameterException: 'InvalidInput',
  // S3
  NoSuchKey: 'NotFound',
  NotFound: 'NotFound',
  NoSuchUpload: 'NotFound',
  AccessDenied: 'Forbidden',
  PreconditionFailed: 'Conflict',
  ConditionalRequestConflict: 'Conflict',
  EntityTooLarge: 'QuotaExceeded',
  InvalidRange: 'InvalidInput',
  SlowDown: 'TooManyRequests',
  // DynamoDB
  AccessDeniedException: 'Forbidden',
  ConditionalCheckFailedException: 'Conflict',
  TransactionConflictException: 'Conflict',
  ProvisionedThroughputExceededException: 'TooManyRequests',
  ThrottlingException: 'TooManyRequests',
  RequestLimitExceeded: 'TooManyRequests',
  ItemCollectionSizeLimitExceededException: 'QuotaExceeded',
  ValidationException: 'InvalidInput',
  // expired or unknown credentials: the session is gone once a refresh has not helped
  ExpiredToken: 'NotSignedIn',
  ExpiredTokenException: 'NotSignedIn',
  InvalidAccessKeyId: 'NotSignedIn',
  UnrecognizedClientException: 'NotSignedIn',
  // aborts
  AbortError: 'Aborted',
}

const BY_STATUS: Record<number, WhimsyErrorCode> = {
  400: 'InvalidInput',
  401: 'NotSignedIn',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'Conflict',
  413: 'QuotaExceeded',
  416: 'InvalidInput',
  429: 'TooManyRequests',
  503: 'TooManyRequests',
}

/**
 * The handle service's own error codes (`@whimsy/sites`' handles API answers `{ code, message }`),
 * read from the body's `code` field, never from its message. Its `NotAuthorized` is an ID token
 * it did not accept: for the SDK the session is over, unlike Cognito's wrong password.
 */
const HANDLES_BY_CODE: Record<string, WhimsyErrorCode> = {
  HandleTaken: 'HandleTaken',
  InvalidHandle: 'InvalidHandle',
  NotAuthorized: 'NotSignedIn',
}

/**
 * What a service tells apart only in its message, under one error name: DynamoDB's
 * ValidationException for an item grown past 400 KB and for an update path into a missing map,
 * Cognito's NotAuthorizedException for a revoked or an expired token (where a wrong password is
 * the same name). Read here, once, and only for that name, so no caller matches messages.
 */
export type FailureDetail = 'ItemTooLarge' | 'MissingDocumentPath' | 'TokenRevoked' | 'TokenExpired'

const BY_MESSAGE: { name: string; pattern: RegExp; detail: FailureDetail }[] = [
  // "Item size has exceeded…" (PutItem), "Item size to update has exceeded…" (UpdateItem)
  { name: 'ValidationException', pattern: /item size .*exceeded the maximum allowed size/i, detail: 'ItemTooLarge' },
  // "The document path provided in the update expression is invalid for update"
  { name: 'ValidationException', pattern: /document path/i, detail: 'MissingDocumentPath' },
  { name: 'NotAuthorizedException', pattern: /revoked/i, detail: 'TokenRevoked' },
  { name: 'NotAuthorizedException', pattern: /expired/i, detail: 'TokenExpired' },
]

/** The service's name for an error: its `name`, or its `code` where `name` is the generic one. */
function nameOf(err: AwsLikeError): string | undefined {
  return err.name && err.name !== 'Error' ? err.name : err.code
}

/** The detail of a service error (or of the one a `WhimsyError` wraps), when its name has several. */
export function detailOf(e: unknown): FailureDetail | undefined {
  const err = (e instanceof WhimsyError ? e.cause : e) as AwsLikeError | undefined
  if (!err || typeof err !== 'object') return undefined
  const name = nameOf(err)
  return BY_MESSAGE.find((row) => row.name === name && row.pattern.test(String(err.message ?? '')))?.detail
}

const MESSAGES: Partial<Record<WhimsyErrorCode, string>> = {
  UserNotFound: 'There is no account with that username.',
  UsernameExists: 'That username is taken; choose another.',
  CodeMismatch: 'That code is not the one we sent. Check it and try again.',
  CodeExpired: 'That code has expired. Ask for a new one.',
  NotConfirmed: 'This account is not confirmed yet. Enter the code we sent you, or ask for a new one.',
  TooManyRequests: 'Too many attempts in a short time. Wait a moment and try again.',
  Forbidden: 'You do not have permission to do that.',
  NotFound: 'That does not exist.',
  Conflict: 'Someone else changed this at the same time. Reload it and try again.',
  NotSignedIn: 'Your session has ended. Sign in again.',
  Network: 'Could not reach Whimsy Space. Check the connection and try again.',
}

/** Whether an error is a transport failure (nothing, or nothing whole, came back). */
export function isNetworkError(e: unknown): boolean {
  const err = e as AwsLikeError & { errno?: unknown }
  if (!err || typeof err !== 'object') return false
  if (err.code === 'NetworkError' || err.name === 'NetworkError' || err.name === 'TimeoutError') return true
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(String(err.code))) return true
  // fetch's failure in browsers and Node ("Failed to fetch", "fetch failed", "NetworkError when…")
  if (err instanceof TypeError && /fetch|network/i.test(err.message)) return true
  if (err.cause && err.cause !== e) return isNetworkError(err.cause)
  return false
}

export function statusOf(e: unknown): number | undefined {
  const err = e as AwsLikeError
  return err?.$metadata?.httpStatusCode ?? err?.$response?.statusCode ?? err?.statusCode
}

/**
 * Converts anything thrown by an AWS client, the SDK's transport, amazon-cognito-identity-js
 * or fetch into a `WhimsyError`. `what` names the thing acted on, for messages
 * ("/notes/a.txt"); a path there is also the error's `path`, and `target.key` its `key`.
 */
export function toWhimsyError(e: unknown, what?: string, target: { key?: string } = {}): WhimsyError {
  if (e instanceof WhimsyError) return e
  const err = (e ?? {}) as AwsLikeError
  const status = statusOf(e)
  const name = nameOf(err)
  let code: WhimsyErrorCode | undefined = name ? BY_NAME[name] : undefined
  if (!code && isNetworkError(e)) code = 'Network'
  if (!code && status) code = BY_STATUS[status] ?? (status >= 500 ? 'Network' : undefined)
  code ??= 'Unknown'
  const detail = code === 'NotAuthorized' ? detailOf(e) : undefined
  if (detail === 'TokenRevoked' || detail === 'TokenExpired') code = 'NotSignedIn'
  const base = MESSAGES[code]
  let message: string
  if (code === 'NotAuthorized') message = err.message && !/^\d+$/.test(err.message) ? err.message : 'Incorrect username or password.'
  else if (code === 'InvalidPassword' || code === 'InvalidInput' || code === 'Unknown' || code === 'QuotaExceeded')
    message = err.message && !/^\d+$/.test(err.message) ? err.message : `The request failed (${name ?? status ?? 'unknown error'}).`
  else message = base ?? err.message ?? 'Something went wrong.'
  if (what && (code === 'NotFound' || code === 'Forbidden' || code === 'Conflict')) message = `${what}: ${message}`
  const path = what?.startsWith('/') ? what : undefined
  return new WhimsyError(code, message, { cause: e, status, path, key: target.key })
}

/**
 * A failed answer of the handle service (`config.handlesApi`): its `code` where the SDK knows
 * it, with the service's message (written for people: `"www" is reserved`); otherwise by status,
 * as any other HTTP failure.
 */
export function handlesApiError(status: number, body: unknown): WhimsyError {
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown }
  const text = typeof message === 'string' && message ? message : `The handle service answered ${status}.`
  const mapped = typeof code === 'string' && Object.hasOwn(HANDLES_BY_CODE, code) ? HANDLES_BY_CODE[code] : undefined
  if (mapped) return new WhimsyError(mapped, text, { status })
  return toWhimsyError(Object.assign(new Error(text), { statusCode: status }))
}
