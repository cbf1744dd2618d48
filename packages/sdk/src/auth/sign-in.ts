/**
 * Proving a password to the user pool: SRP (`USER_SRP_AUTH`, the password never leaves the
 * device; the default) or the plain password flow where the config asks for it (the test
 * fixtures, which sign in hundreds of times). Resolves to the pool's own name for the user —
 * the one in the ID token, also when the user signed in with their e-mail address.
 */
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import type { CallOptions, CognitoCall } from './cognito-api.js'
import { answerPasswordVerifier, clientSecret, cognitoTimestamp, parseHex, poolNameOf } from './srp.js'
import { claimsOf, type Tokens, tokensFrom } from './tokens.js'

interface AuthAnswer {
  AuthenticationResult?: Record<string, unknown>
  ChallengeName?: string
  ChallengeParameters?: Record<string, string>
}

export async function proveIdentity(
  call: CognitoCall,
  config: WhimsyConfig,
  name: string,
  password: string,
  options: CallOptions = {},
): Promise<{ username: string; tokens: Tokens }> {
  const ClientId = config.userPoolClientId
  let answer: AuthAnswer
  if (config.authFlow === 'USER_PASSWORD_AUTH') {
    answer = await call<AuthAnswer>(
      'InitiateAuth',
      { AuthFlow: 'USER_PASSWORD_AUTH', ClientId, AuthParameters: { USERNAME: name, PASSWORD: password } },
      options,
    )
  } else {
    const secret = clientSecret()
    const started = await call<AuthAnswer>(
      'InitiateAuth',
      { AuthFlow: 'USER_SRP_AUTH', ClientId, AuthParameters: { USERNAME: name, SRP_A: secret.A.toString(16) } },
      options,
    )
    const p = started.ChallengeParameters ?? {}
    const B = parseHex(p.SRP_B)
    const salt = parseHex(p.SALT)
    const userId = p.USER_ID_FOR_SRP
    if (started.ChallengeName !== 'PASSWORD_VERIFIER' || B === undefined || salt === undefined || !userId || !p.SECRET_BLOCK)
      throw new WhimsyError('Unknown', `The user pool answered SRP sign-in with an unexpected challenge (${started.ChallengeName ?? 'none'}).`)
    const timestamp = cognitoTimestamp()
    const { signature } = await answerPasswordVerifier({
      secret,
      poolName: poolNameOf(config.userPoolId),
      userId,
      password,
      B,
      salt,
      secretBlock: p.SECRET_BLOCK,
      timestamp,
    })
    answer = await call<AuthAnswer>(
      'RespondToAuthChallenge',
      {
        ClientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: { USERNAME: userId, PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK, TIMESTAMP: timestamp, PASSWORD_CLAIM_SIGNATURE: signature },
      },
      options,
    )
  }
  if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED')
    throw new WhimsyError('NotAuthorized', 'This account must set a new password first: use forgotPassword to set one.')
  if (answer.ChallengeName) throw new WhimsyError('NotAuthorized', 'This account uses multi-factor sign-in, which the Whimsy SDK does not support yet.')
  const tokens = tokensFrom(answer.AuthenticationResult)
  const claims = claimsOf(tokens.idToken)
  const username = claims['cognito:username'] ?? claims.username ?? name
  return { username: String(username), tokens }
}
