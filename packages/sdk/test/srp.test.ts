/**
 * SRP end to end against the local user pool (`packages/local-cloud/src/cognito-srp.ts`): the
 * SDK's default sign-in, the reference client (amazon-cognito-identity-js) too, and the ways a
 * claim must fail — a wrong password, an unknown user, a replayed or forged answer.
 */
import { InitiateAuthCommand, RespondToAuthChallengeCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider'
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { userPoolClient } from '../../../test/users.js'
import { answerPasswordVerifier, clientSecret, cognitoTimestamp, parseHex, poolNameOf } from '../src/auth/srp.js'
import { createWhimsy, memoryStorage, type WhimsyConfig } from '../src/index.js'
import { PASSWORD, signedInWhimsy } from './sdk-users.js'
import { codeOf, errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')
/** The SDK's default flow: the shared fixture config asks for the password flow, this one does not. */
const srpConfig: WhimsyConfig = { ...cloud.config, authFlow: undefined }
let username: string

beforeAll(async () => {
  username = (await signedInWhimsy(cloud, 'srp')).username
})

/** The challenge and a correct answer to it, by hand over the user-pool API. */
async function challenge(name: string, password = PASSWORD) {
  const idp = userPoolClient(cloud)
  const secret = clientSecret()
  const started = await idp.send(
    new InitiateAuthCommand({
      ClientId: cloud.config.userPoolClientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: name, SRP_A: secret.A.toString(16) },
    }),
  )
  const p = started.ChallengeParameters ?? {}
  const timestamp = cognitoTimestamp()
  const { signature } = await answerPasswordVerifier({
    secret,
    poolName: poolNameOf(cloud.config.userPoolId),
    userId: p.USER_ID_FOR_SRP as string,
    password,
    B: parseHex(p.SRP_B) as bigint,
    salt: parseHex(p.SALT) as bigint,
    secretBlock: p.SECRET_BLOCK as string,
    timestamp,
  })
  const respond = (responses: Record<string, string> = {}) =>
    idp.send(
      new RespondToAuthChallengeCommand({
        ClientId: cloud.config.userPoolClientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: {
          USERNAME: p.USER_ID_FOR_SRP as string,
          PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK as string,
          TIMESTAMP: timestamp,
          PASSWORD_CLAIM_SIGNATURE: signature,
          ...responses,
        },
      }),
    )
  return { started, respond, idp }
}

describe('SRP sign-in on the local user pool', () => {
  it('the SDK signs in with SRP by default', async () => {
    const whimsy = createWhimsy(srpConfig, { storage: memoryStorage() })
    const user = await whimsy.auth.signIn({ username, password: PASSWORD })
    expect(user.username).toBe(username)
    expect(user.identityId).toMatch(/^us-east-1:/)
    expect(await codeOf(createWhimsy(srpConfig, { storage: memoryStorage() }).auth.signIn({ username, password: 'wrong-horse-43' }))).toBe('NotAuthorized')
  })

  it('amazon-cognito-identity-js signs in with SRP too', async () => {
    const pool = new CognitoUserPool({
      UserPoolId: cloud.config.userPoolId,
      ClientId: cloud.config.userPoolClientId,
      endpoint: cloud.config.endpoints?.cognitoIdentityProvider,
    })
    const user = new CognitoUser({ Username: username, Pool: pool })
    const session = await new Promise<{ getIdToken(): { payload: Record<string, unknown> } }>((resolve, reject) =>
      user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), { onSuccess: resolve, onFailure: reject }),
    )
    expect(session.getIdToken().payload['cognito:username']).toBe(username)
  })

  it('answers the challenge with tokens once, and never twice', async () => {
    const { started, respond, idp } = await challenge(username)
    expect(started.ChallengeName).toBe('PASSWORD_VERIFIER')
    expect((await respond()).AuthenticationResult?.IdToken).toBeTruthy()
    expect(((await respond().catch((e) => e)) as Error).name).toBe('NotAuthorizedException')
    idp.destroy()
  })

  it('refuses a wrong password, a forged signature and a stale timestamp', async () => {
    const wrong = await challenge(username, 'not-the-password-1')
    expect(((await wrong.respond().catch((e) => e)) as Error).message).toBe('Incorrect username or password.')
    const forged = await challenge(username)
    expect(((await forged.respond({ PASSWORD_CLAIM_SIGNATURE: Buffer.alloc(32).toString('base64') }).catch((e) => e)) as Error).name).toBe(
      'NotAuthorizedException',
    )
    const stale = await challenge(username)
    const old = cognitoTimestamp(new Date(Date.now() - 3600_000))
    expect(((await stale.respond({ TIMESTAMP: old }).catch((e) => e)) as Error).name).toBe('NotAuthorizedException')
    for (const c of [wrong, forged, stale]) c.idp.destroy()
  })

  it('an unknown user gets a challenge like anyone, and the same refusal as a wrong password', async () => {
    const { started, respond, idp } = await challenge('nobody-here-at-all')
    expect(started.ChallengeName).toBe('PASSWORD_VERIFIER')
    expect(((await respond().catch((e) => e)) as Error).message).toBe('Incorrect username or password.')
    idp.destroy()
  })

  it('refuses an A that is zero modulo N', async () => {
    const idp = userPoolClient(cloud)
    const out = await idp
      .send(new InitiateAuthCommand({ ClientId: cloud.config.userPoolClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: '0' } }))
      .catch((e) => e)
    expect((out as Error).name).toBe('InvalidParameterException')
    idp.destroy()
  })
})

describe('sign-in with the e-mail address as well as the username', () => {
  it('works with SRP and with the password flow, and the user is the account, not the address', async () => {
    for (const config of [srpConfig, cloud.config]) {
      const whimsy = createWhimsy(config, { storage: memoryStorage() })
      const user = await whimsy.auth.signIn({ username: `${username.toUpperCase()}@EXAMPLE.COM`.toLowerCase(), password: PASSWORD })
      expect(user).toMatchObject({ username, email: `${username}@example.com` })
      expect(
        await codeOf(createWhimsy(config, { storage: memoryStorage() }).auth.signIn({ username: `${username}@example.com`, password: 'wrong-horse-43' })),
      ).toBe('NotAuthorized')
    }
  })

  it('no username may look like an e-mail address: refused by the SDK and by the pool', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    expect(await codeOf(whimsy.auth.signUp({ username: 'me@example.com', email: 'me@example.com', password: PASSWORD }))).toBe('InvalidInput')
    const idp = userPoolClient(cloud)
    const direct = await idp
      .send(new SignUpCommand({ ClientId: cloud.config.userPoolClientId, Username: `${username}@example.com`, Password: PASSWORD }))
      .catch((e: Error) => e)
    expect((direct as Error).name).toBe('InvalidParameterException')
    idp.destroy()
  })

  it('an address no confirmed account has is refused like a wrong password', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    const pending = `pending-${Date.now()}`
    await whimsy.auth.signUp({ username: pending, email: `${pending}@example.com`, password: PASSWORD })
    for (const config of [srpConfig, cloud.config]) {
      const e = await errorOf(createWhimsy(config, { storage: memoryStorage() }).auth.signIn({ username: `${pending}@example.com`, password: PASSWORD }))
      expect(e.code).toBe('NotAuthorized')
      expect(await codeOf(createWhimsy(config, { storage: memoryStorage() }).auth.signIn({ username: 'nobody@example.com', password: PASSWORD }))).toBe(
        'NotAuthorized',
      )
    }
  })
})
