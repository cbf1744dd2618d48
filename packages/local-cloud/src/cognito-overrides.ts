/**
 * User-pool behaviour the local cloud adds in front of cognito-local, each for a named gap:
 * - no `GlobalSignOut` (sign out everywhere): answered here, see `sign-outs.ts`; revoked
 *   refresh and access tokens are then refused as AWS refuses them;
 * - the pool's password policy is not enforced on `SignUp`, `ChangePassword` and
 *   `ConfirmForgotPassword`: checked here with the same rules the SDK checks;
 * - no `ResendConfirmationCode`: a new code is issued through `ForgotPassword`, which in
 *   cognito-local writes the same per-user code that `ConfirmSignUp` checks;
 * - no e-mail alias (sign-in with the verified e-mail address as well as the username):
 *   resolved here for the password flow, and in `cognito-srp.ts` for SRP;
 * - no SRP (`USER_SRP_AUTH`, the `PASSWORD_VERIFIER` challenge): answered by `cognito-srp.ts`;
 * - codes never expire: here they do, after AWS's lifetimes (a day for sign-up, an hour for
 *   a password reset), counted from when the mailbox received them.
 */
import type { PasswordPolicy } from '@whimsy/sdk/config'
import { joinPhrases, passwordProblems } from '@whimsy/sdk/password-policy'
import type { CognitoProxyContext } from './cognito-proxy.js'
import type { createCognitoSrp } from './cognito-srp.js'
import type { Mailbox } from './mailbox.js'
import type { SignOuts } from './sign-outs.js'
import type { UserPoolTokenClaims } from './user-pool-tokens.js'

type Overrides = NonNullable<CognitoProxyContext['overrides']>
type Answer = { status: number; body: unknown } | undefined

export interface CognitoOverrideOptions {
  signOuts: SignOuts
  verifyToken: (token: string) => Promise<UserPoolTokenClaims | undefined>
  passwordPolicy: PasswordPolicy
  mailbox: Mailbox
  userPoolId: string
  /**
   * The user a sign-in name stands for: a username, or a verified e-mail address (the pool's
   * e-mail alias, which cognito-local lacks: its pool has `UsernameAttributes` or nothing).
   */
  resolveAlias?: (name: string) => Promise<string | undefined>
  /** `USER_SRP_AUTH`, which cognito-local lacks (`cognito-srp.ts`). */
  srp?: ReturnType<typeof createCognitoSrp>
  /** Sends an operation to cognito-local as it is, and returns its answer. */
  upstream: (operation: string, body: Record<string, unknown>) => Promise<{ status: number; body: Record<string, unknown> }>
}

const SIGN_UP_CODE_LIFETIME_MS = 24 * 3600 * 1000
const RESET_CODE_LIFETIME_MS = 3600 * 1000

/** Calls AWS authorizes with an access token; after a global sign-out those tokens are dead. */
const ACCESS_TOKEN_OPERATIONS = [
  'GetUser',
  'ChangePassword',
  'DeleteUser',
  'UpdateUserAttributes',
  'DeleteUserAttributes',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
  'SetUserMFAPreference',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
]

export function createCognitoOverrides(options: CognitoOverrideOptions): Overrides {
  const { signOuts, verifyToken, passwordPolicy, mailbox } = options
  const refuse = (type: string, message: string): Answer => ({ status: 400, body: { __type: type, message } })

  // Gap: cognito-local only decodes access tokens (`jwt.decode`), never verifies them, so a
  // token signed with any key named any user (issue 11, finding 4). Only this pool's own
  // access tokens get through to it.
  const checkAccessToken = async (body: Record<string, unknown>): Promise<Answer> => {
    if (typeof body.AccessToken !== 'string') return undefined
    const claims = await verifyToken(body.AccessToken)
    if (!claims || claims.tokenUse !== 'access') return refuse('NotAuthorizedException', 'Invalid Access Token')
    if (signOuts.isRevoked(claims.username, claims.iat)) return refuse('NotAuthorizedException', 'Access Token has been revoked')
    return undefined
  }

  const checkPassword = (password: unknown): Answer => {
    if (typeof password !== 'string') return undefined
    const problems = passwordProblems(passwordPolicy, password)
    if (problems.length === 0) return undefined
    return refuse('InvalidPasswordException', `Password did not conform with policy: it needs ${joinPhrases(problems)}.`)
  }

  const checkCodeAge = (body: Record<string, unknown>, lifetimeMs: number): Answer => {
    if (typeof body.Username !== 'string' || typeof body.ConfirmationCode !== 'string') return undefined
    const sent = mailbox
      .list({ username: body.Username })
      .filter((m) => m.code === body.ConfirmationCode)
      .at(-1)
    if (sent && Date.now() - Date.parse(sent.sentAt) > lifetimeMs) return refuse('ExpiredCodeException', 'Invalid code provided, please request a code again.')
    return undefined
  }

  // The password flow with an e-mail address: sent on under the username it stands for.
  const signInByAlias = async (body: Record<string, unknown>): Promise<Answer> => {
    const params = (body.AuthParameters ?? {}) as Record<string, unknown>
    const name = params.USERNAME
    if (typeof name !== 'string' || !name.includes('@') || !options.resolveAlias) return undefined
    const username = await options.resolveAlias(name)
    if (!username) return refuse('NotAuthorizedException', 'Incorrect username or password.')
    const answer = await options.upstream('InitiateAuth', { ...body, AuthParameters: { ...params, USERNAME: username } })
    const type = String(answer.body.__type ?? '')
    if (answer.status !== 200 && (type === 'InvalidPasswordException' || type === 'NotAuthorizedException'))
      return refuse('NotAuthorizedException', 'Incorrect username or password.')
    return { status: answer.status, body: answer.body }
  }

  const overrides: Overrides = {
    async GlobalSignOut(body) {
      const claims = typeof body.AccessToken === 'string' ? await verifyToken(body.AccessToken) : undefined
      if (!claims || claims.tokenUse !== 'access') return refuse('NotAuthorizedException', 'Invalid Access Token')
      if (signOuts.isRevoked(claims.username, claims.iat)) return refuse('NotAuthorizedException', 'Access Token has been revoked')
      await signOuts.signOutEverywhere(claims.username)
      return { status: 200, body: {} }
    },
    async InitiateAuth(body) {
      const flow = body.AuthFlow
      if (flow === 'USER_SRP_AUTH' && options.srp) return options.srp.initiate(body)
      if (flow === 'USER_PASSWORD_AUTH') return signInByAlias(body)
      if (flow !== 'REFRESH_TOKEN_AUTH' && flow !== 'REFRESH_TOKEN') return undefined
      const token = (body.AuthParameters as Record<string, unknown> | undefined)?.REFRESH_TOKEN
      if (typeof token !== 'string') return undefined
      const claims = await verifyToken(token)
      if (!claims || claims.tokenUse !== undefined) return refuse('NotAuthorizedException', 'Invalid Refresh Token')
      if (signOuts.isRevoked(claims.username, claims.iat)) return refuse('NotAuthorizedException', 'Refresh Token has been revoked')
      return undefined
    },
    async RespondToAuthChallenge(body) {
      if (body.ChallengeName === 'PASSWORD_VERIFIER' && options.srp) return options.srp.respond(body)
      return undefined
    },
    async SignUp(body) {
      // As AWS with an e-mail alias: a username may not be an address (it would shadow one).
      if (typeof body.Username === 'string' && body.Username.includes('@'))
        return refuse('InvalidParameterException', 'Username cannot be of email format, since user pool is configured for email alias.')
      return checkPassword(body.Password)
    },
    async ResendConfirmationCode(body) {
      if (typeof body.Username !== 'string') return refuse('InvalidParameterException', 'Username is required.')
      const user = await options.upstream('AdminGetUser', { UserPoolId: options.userPoolId, Username: body.Username })
      if (user.status !== 200) return { status: user.status, body: user.body }
      if (user.body.UserStatus !== 'UNCONFIRMED') return refuse('InvalidParameterException', 'User is already confirmed.')
      const sent = await options.upstream('ForgotPassword', { ClientId: body.ClientId, Username: body.Username })
      return { status: sent.status, body: sent.body }
    },
    async ConfirmSignUp(body) {
      return checkCodeAge(body, SIGN_UP_CODE_LIFETIME_MS)
    },
    async ConfirmForgotPassword(body) {
      return checkCodeAge(body, RESET_CODE_LIFETIME_MS) ?? checkPassword(body.Password)
    },
  }
  for (const operation of ACCESS_TOKEN_OPERATIONS) {
    overrides[operation] = async (body) => {
      const revoked = await checkAccessToken(body)
      if (revoked) return revoked
      return operation === 'ChangePassword' ? checkPassword(body.ProposedPassword) : undefined
    }
  }
  return overrides
}
