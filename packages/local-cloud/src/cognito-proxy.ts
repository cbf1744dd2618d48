/**
 * The user-pool half of the gateway. Public user-pool calls (sign up, sign in, …) go to
 * cognito-local as on AWS; administrative calls need the administrator's signature, which
 * users' credentials never carry. Responses are corrected where cognito-local strays from AWS.
 */
import type { ServerResponse } from 'node:http'
import type { Principal } from './authenticate.js'
import { sendJsonError } from './aws-errors.js'
import type { IncomingRequest } from './sigv4.js'
import { readAll, responseHeaders, sendUpstream } from './upstream.js'

/** Operations AWS lets anyone call without AWS credentials (they carry tokens or passwords). */
const PUBLIC_OPERATIONS = new Set([
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'InitiateAuth',
  'RespondToAuthChallenge',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'ChangePassword',
  'GetUser',
  'DeleteUser',
  'UpdateUserAttributes',
  'DeleteUserAttributes',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
  'GlobalSignOut',
  'RevokeToken',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'SetUserMFAPreference',
])

export interface CognitoProxyContext {
  upstream: string
  /** Sent to the emulator on every call: its proof that the call comes from the gateway. */
  upstreamHeaders?: Record<string, string>
  /** Operations the local cloud answers itself (gaps of cognito-local), by name. */
  overrides?: Record<string, (body: Record<string, unknown>) => Promise<{ status: number; body: unknown } | undefined>>
}

export async function handleCognito(ctx: CognitoProxyContext, req: IncomingRequest, res: ServerResponse, principal: Principal) {
  const operation = (req.headers['x-amz-target'] ?? '').split('.')[1] ?? ''
  if (!PUBLIC_OPERATIONS.has(operation) && principal.kind !== 'admin')
    return sendJsonError(res, 'AccessDeniedException', `User is not authorized to perform: cognito-idp:${operation}`)

  const override = ctx.overrides?.[operation]
  if (override) {
    let body: Record<string, unknown>
    try {
      body = JSON.parse(Buffer.from(req.body).toString('utf8') || '{}') as Record<string, unknown>
    } catch {
      return sendJsonError(res, 'SerializationException', 'The request body is not valid JSON')
    }
    const answer = await override(body)
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify(answer.body))
      return
    }
  }

  const headers: Record<string, string> = {}
  for (const k of ['content-type', 'x-amz-target']) if (req.headers[k]) headers[k] = req.headers[k] as string
  Object.assign(headers, ctx.upstreamHeaders)
  const upstream = await sendUpstream(ctx.upstream, { method: 'POST', path: '/', headers, body: req.body }).catch(() => undefined)
  // The emulator is restarting (see emulators/supervisor.ts): a 503, which SDK clients retry.
  if (!upstream) return sendJsonError(res, 'ServiceUnavailableException', 'The local user pool is restarting; try again.', 503)
  const text = (await readAll(upstream)).toString('utf8')
  const status = upstream.statusCode ?? 502
  const out = status >= 400 ? correctError(operation, text) : text
  const headersOut = responseHeaders(upstream.headers)
  delete headersOut['content-length']
  res.writeHead(status, headersOut)
  res.end(out)
}

/**
 * Gaps where cognito-local's errors differ from AWS's:
 * - a wrong password at sign-in or at `ChangePassword` is `InvalidPasswordException`; AWS
 *   says `NotAuthorizedException` (InvalidPassword means "does not meet the policy"; the
 *   local cloud checks the policy before forwarding, see `cognito-overrides.ts`);
 * - an unknown user at sign-in is "User not authorized"; AWS, with user-existence errors
 *   prevented as the production app client sets, says "Incorrect username or password." for
 *   both, so sign-in does not reveal which usernames exist.
 */
function correctError(operation: string, text: string): string {
  const signIn = operation === 'InitiateAuth' || operation === 'RespondToAuthChallenge'
  if (!signIn && operation !== 'ChangePassword') return text
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string }
    const wrongPassword = body.__type === 'InvalidPasswordException'
    const unknownUser = signIn && body.__type === 'NotAuthorizedException' && body.message === 'User not authorized'
    if (wrongPassword || unknownUser) return JSON.stringify({ __type: 'NotAuthorizedException', message: 'Incorrect username or password.' })
  } catch {
    // not JSON: pass through
  }
  return text
}
