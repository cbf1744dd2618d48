/**
 * The one error mapping (issue 12): every service error name, status and transport failure the
 * SDK meets, and the code each one becomes — as the AWS SDK shapes errors and as the SDK's own
 * transport (transport/json-protocol.ts) shapes them, which must agree.
 */
import { describe, expect, it } from 'vitest'
import { detailOf, handlesApiError, isNetworkError, toWhimsyError } from './aws-errors.js'
import { WhimsyError } from './errors.js'
import { jsonError } from './transport/json-protocol.js'

const aws = (name: string, status: number, message = 'm') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })

describe('toWhimsyError', () => {
  it.each([
    ['NotAuthorizedException', 400, 'NotAuthorized'],
    ['UserNotFoundException', 400, 'UserNotFound'],
    ['UsernameExistsException', 400, 'UsernameExists'],
    ['CodeMismatchException', 400, 'CodeMismatch'],
    ['ExpiredCodeException', 400, 'CodeExpired'],
    ['InvalidPasswordException', 400, 'InvalidPassword'],
    ['UserNotConfirmedException', 400, 'NotConfirmed'],
    ['TooManyRequestsException', 400, 'TooManyRequests'],
    ['NoSuchKey', 404, 'NotFound'],
    ['NotFound', 404, 'NotFound'],
    ['AccessDenied', 403, 'Forbidden'],
    ['PreconditionFailed', 412, 'Conflict'],
    ['EntityTooLarge', 400, 'QuotaExceeded'],
    ['SlowDown', 503, 'TooManyRequests'],
    ['AccessDeniedException', 400, 'Forbidden'],
    ['ConditionalCheckFailedException', 400, 'Conflict'],
    ['ProvisionedThroughputExceededException', 400, 'TooManyRequests'],
    ['ThrottlingException', 400, 'TooManyRequests'],
    ['ValidationException', 400, 'InvalidInput'],
    ['ExpiredTokenException', 400, 'NotSignedIn'],
    ['UnrecognizedClientException', 400, 'NotSignedIn'],
    ['AbortError', 0, 'Aborted'],
    ['Unknown', 403, 'Forbidden'],
    ['Unknown', 404, 'NotFound'],
    ['Unknown', 409, 'Conflict'],
    ['Unknown', 429, 'TooManyRequests'],
    ['Unknown', 500, 'Network'],
    ['Unknown', 418, 'Unknown'],
  ])('%s (HTTP %i) is %s', (name, status, code) => {
    expect(toWhimsyError(aws(name, status)).code).toBe(code)
    // The SDK's own transport reports the same failure the same way.
    const body = JSON.stringify({ __type: `com.amazonaws.x#${name}`, message: 'm' })
    if (name !== 'AbortError') expect(toWhimsyError(jsonError(status || 400, new Headers(), body)).code).toBe(code)
  })

  it.each([
    [new TypeError('fetch failed'), true],
    [new TypeError('Failed to fetch'), true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [new Error('outer', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }), true],
    [new TypeError('x is not a function'), false],
    [new Error('plain'), false],
  ])('%s is a network failure: %s', (e, network) => {
    expect(isNetworkError(e)).toBe(network)
    expect(toWhimsyError(e).code).toBe(network ? 'Network' : 'Unknown')
  })

  it('says which file or key, as fields as well as in the message', () => {
    const onFile = toWhimsyError(aws('NoSuchKey', 404), '/notes/a.txt')
    expect(onFile).toMatchObject({ code: 'NotFound', path: '/notes/a.txt' })
    expect(onFile.message).toMatch(/^\/notes\/a\.txt: /)
    expect(toWhimsyError(aws('ConditionalCheckFailedException', 400), 'kv key "k"', { key: 'k' })).toMatchObject({
      code: 'Conflict',
      key: 'k',
      path: undefined,
    })
  })

  it('keeps a revoked session apart from a wrong password, and WhimsyErrors as they are', () => {
    expect(toWhimsyError(aws('NotAuthorizedException', 400, 'Refresh Token has been revoked')).code).toBe('NotSignedIn')
    expect(toWhimsyError(aws('NotAuthorizedException', 400, 'Incorrect username or password.')).code).toBe('NotAuthorized')
    const mine = new WhimsyError('Aborted', 'stop')
    expect(toWhimsyError(mine)).toBe(mine)
  })
})

describe('detailOf: what a service tells apart only in its message', () => {
  it.each([
    ['ValidationException', 'Item size has exceeded the maximum allowed size', 'ItemTooLarge'],
    ['ValidationException', 'Item size to update has exceeded the maximum allowed size', 'ItemTooLarge'],
    ['ValidationException', 'The document path provided in the update expression is invalid for update', 'MissingDocumentPath'],
    ['ValidationException', 'One or more parameter values were invalid', undefined],
    ['NotAuthorizedException', 'Refresh Token has been revoked', 'TokenRevoked'],
    ['NotAuthorizedException', 'Invalid login token. Token expired: 1700000000 >= 1600000000', 'TokenExpired'],
    ['NotAuthorizedException', 'Incorrect username or password.', undefined],
    // The same words under another name are not the detail: only the service's name says which.
    ['AccessDeniedException', 'Item size has exceeded the maximum allowed size', undefined],
    ['UserNotFoundException', 'Refresh Token has been revoked', undefined],
  ])('%s "%s" is %s', (name, message, detail) => {
    expect(detailOf(aws(name, 400, message))).toBe(detail)
    // Through a WhimsyError, and as the SDK's own transport shapes the same answer.
    expect(detailOf(toWhimsyError(aws(name, 400, message)))).toBe(detail)
    expect(detailOf(jsonError(400, new Headers(), JSON.stringify({ __type: `com.amazonaws.x#${name}`, message })))).toBe(detail)
  })

  it('reads the code where the name is the generic one (amazon-cognito-identity-js)', () => {
    expect(detailOf(Object.assign(new Error('Refresh Token has been revoked'), { code: 'NotAuthorizedException' }))).toBe('TokenRevoked')
    expect(detailOf(new Error('Refresh Token has been revoked'))).toBeUndefined()
    expect(detailOf(undefined)).toBeUndefined()
  })
})

describe("handlesApiError: the handle service's answers", () => {
  it.each([
    // [status, body, code, message]
    [409, { code: 'HandleTaken', message: '"danielx" is taken' }, 'HandleTaken', '"danielx" is taken'],
    [400, { code: 'InvalidHandle', message: '"www" is reserved' }, 'InvalidHandle', '"www" is reserved'],
    [401, { code: 'NotAuthorized', message: 'The ID token was not accepted: expired' }, 'NotSignedIn', 'The ID token was not accepted: expired'],
    [404, { code: 'NotFound', message: 'No such route: /x' }, 'NotFound', 'That does not exist.'],
    [400, { code: 'BadRequest', message: 'The body is too large' }, 'InvalidInput', 'The body is too large'],
    [405, { code: 'MethodNotAllowed', message: 'Use POST' }, 'Unknown', 'Use POST'],
    [
      500,
      { code: 'InternalError', message: 'The handle registry failed; try again.' },
      'Network',
      'Could not reach Whimsy Space. Check the connection and try again.',
    ],
    [502, {}, 'Network', 'Could not reach Whimsy Space. Check the connection and try again.'],
    [429, {}, 'TooManyRequests', 'Too many attempts in a short time. Wait a moment and try again.'],
    [403, { message: 'x' }, 'Forbidden', 'You do not have permission to do that.'],
    // The code decides, never the message: a message that names a code changes nothing.
    [400, { code: 'Other', message: 'HandleTaken' }, 'InvalidInput', 'HandleTaken'],
    [409, { code: 'toString', message: 'inherited names are not codes' }, 'Conflict', 'Someone else changed this at the same time. Reload it and try again.'],
    [400, 'not an object', 'InvalidInput', 'The handle service answered 400.'],
  ] as const)('HTTP %i %j is %s', (status, body, code, message) => {
    const error = handlesApiError(status, body)
    expect(error).toBeInstanceOf(WhimsyError)
    expect({ code: error.code, message: error.message, status: error.status }).toEqual({ code, message, status })
  })
})
