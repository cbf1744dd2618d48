/**
 * Issue 11, finding 4: cognito-local's npm package ships the private key it signs tokens
 * with, so anyone could mint a token for any user. The local pool signs with its data
 * directory's own key, and nothing in the local cloud trusts the shipped one.
 */
import { createPrivateKey } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity'
import { DeleteUserCommand, GetUserCommand, GlobalSignOutCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider'
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, loginsFor, PASSWORD, type TestUser, userPoolClient } from '../../../test/users.js'

const cloud = inject('cloud')
const require = createRequire(import.meta.url)

/** The key anyone can read in node_modules. */
const shippedKey = createPrivateKey(
  (JSON.parse(readFileSync(join(require.resolve('cognito-local/package.json'), '../lib/keys/cognitoLocal.private.json'), 'utf8')) as { pem: string }).pem,
)

/** A token with the same claims as `real`, signed with the shipped key, fresh, under `kid`. */
function forge(real: string, kid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ ...decodeJwt(real), iat: now, auth_time: now, exp: now + 3600 }).setProtectedHeader({ alg: 'RS256', kid }).sign(shippedKey)
}

const errorName = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: Error) => e.name,
  )

let user: TestUser
let accessToken: string
let identity: CognitoIdentityClient

beforeAll(async () => {
  user = await createUser(cloud, 'forged')
  const idp = userPoolClient(cloud)
  const auth = await idp.send(
    new InitiateAuthCommand({ ClientId: cloud.config.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.username, PASSWORD } }),
  )
  idp.destroy()
  accessToken = auth.AuthenticationResult?.AccessToken ?? ''
  identity = new CognitoIdentityClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.cognitoIdentity })
})

describe('forged user-pool tokens', () => {
  it("Regression (issue 11, finding 4): the pool signs with the data directory's own key, kept 0600", () => {
    const kid = decodeProtectedHeader(user.idToken).kid
    expect(kid).toBeTruthy()
    expect(kid).not.toBe('CognitoLocal')
    expect(decodeProtectedHeader(accessToken).kid).toBe(kid)
    expect(statSync(join(cloud.dataDir, 'user-pool-key.pem')).mode & 0o777).toBe(0o600)
  })

  it('Regression (issue 11, finding 4): the identity pool refuses ID tokens signed with the shipped key', async () => {
    const realKid = decodeProtectedHeader(user.idToken).kid as string
    for (const kid of ['CognitoLocal', realKid]) {
      const forged = await forge(user.idToken, kid)
      const logins = loginsFor(cloud, forged)
      expect(await errorName(identity.send(new GetIdCommand({ IdentityPoolId: cloud.config.identityPoolId, Logins: logins }))), kid).toBe(
        'NotAuthorizedException',
      )
      expect(await errorName(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: user.identityId, Logins: logins }))), kid).toBe(
        'NotAuthorizedException',
      )
    }
    // The real token, for contrast, still buys credentials.
    const real = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: user.identityId, Logins: loginsFor(cloud, user.idToken) }))
    expect(real.Credentials?.AccessKeyId).toMatch(/^ASIA/)
  })

  it('Regression (issue 11, finding 4): the user-pool calls refuse access tokens signed with the shipped key', async () => {
    const idp = userPoolClient(cloud)
    try {
      for (const kid of ['CognitoLocal', decodeProtectedHeader(accessToken).kid as string]) {
        const forged = await forge(accessToken, kid)
        // cognito-local itself only decodes access tokens: these would have acted as the user.
        expect(await errorName(idp.send(new GetUserCommand({ AccessToken: forged }))), kid).toBe('NotAuthorizedException')
        expect(await errorName(idp.send(new DeleteUserCommand({ AccessToken: forged }))), kid).toBe('NotAuthorizedException')
        expect(await errorName(idp.send(new GlobalSignOutCommand({ AccessToken: forged }))), kid).toBe('NotAuthorizedException')
      }
      // An ID token is no access token either.
      expect(await errorName(idp.send(new GetUserCommand({ AccessToken: user.idToken })))).toBe('NotAuthorizedException')
      // The user is still there, and the real token still works.
      expect((await idp.send(new GetUserCommand({ AccessToken: accessToken }))).Username).toBe(user.username)
    } finally {
      idp.destroy()
    }
  })

  it('Regression (issue 11, finding 4): the handles API refuses ID tokens signed with the shipped key', async () => {
    for (const kid of ['CognitoLocal', decodeProtectedHeader(user.idToken).kid as string]) {
      const res = await fetch(`${cloud.config.handlesApi}/me`, { headers: { authorization: `Bearer ${await forge(user.idToken, kid)}` } })
      expect(res.status, kid).toBe(401)
    }
    const real = await fetch(`${cloud.config.handlesApi}/me`, { headers: { authorization: `Bearer ${user.idToken}` } })
    expect(real.status).toBe(200)
  })
})
