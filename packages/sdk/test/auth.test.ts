/**
 * Accounts and sessions end to end (issue 4), against the running local cloud through the SDK.
 */

import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider'
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, inject, it } from 'vitest'
import { adminS3, documentClient, latestCode, userPoolClient } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import { createWhimsy, memoryStorage, type WhimsyConfig } from '../src/index.js'
import { PASSWORD, signedInWhimsy, uniqueName } from './sdk-users.js'
import { codeOf, errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')

/** An S3 client on the SDK's own credential provider, as the SDK's files API uses it. */
function s3For(whimsy: ReturnType<typeof createWhimsy>): S3Client {
  return new S3Client({
    region: cloud.config.region,
    endpoint: cloud.config.endpoints?.s3,
    forcePathStyle: true,
    credentials: sessionOf(whimsy.auth).credentialProvider(),
  })
}

describe('sign up, confirm, sign in', () => {
  it('signs up, confirms with the mailed code and signs in to scoped credentials', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    const changes: string[] = []
    whimsy.auth.onChange((user, change) => changes.push(`${change}:${user?.username ?? 'none'}`))
    const username = uniqueName()
    const signedUp = await whimsy.auth.signUp({ username, email: `${username}@example.com`, password: PASSWORD })
    expect(signedUp.confirmed).toBe(false)
    await whimsy.auth.confirmSignUp({ username, code: await latestCode(cloud, username) })
    const user = await whimsy.auth.signIn({ username, password: PASSWORD })
    expect(user).toMatchObject({ username, email: `${username}@example.com` })
    expect(user.identityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/)
    expect(whimsy.auth.user).toEqual(user)
    expect(changes).toEqual([`signIn:${username}`])
    const credentials = await sessionOf(whimsy.auth).credentials()
    expect(credentials.identityId).toBe(user.identityId)
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    // The credentials reach the user's own folder and nobody else's.
    const s3 = s3For(whimsy)
    await s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/hello.txt`, Body: 'hi' }))
    const denied = await s3
      .send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: 'us-east-1:00000000-0000-4000-8000-000000000000/x', Body: 'x' }))
      .catch((e) => e)
    expect((denied as Error).name).toBe('AccessDenied')
  })

  it('refuses a wrong password with NotAuthorized', async () => {
    const { username } = await signedInWhimsy(cloud)
    const other = createWhimsy(cloud.config, { storage: memoryStorage() })
    const e = await errorOf(other.auth.signIn({ username, password: 'wrong-password-1' }))
    expect(e.code).toBe('NotAuthorized')
    expect(e.message).toMatch(/incorrect username or password/i)
    expect(e.cause).toBeDefined()
    expect(other.auth.user).toBeNull()
  })

  it('refuses an unknown user like a wrong password, so sign-in does not reveal who has an account', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    const e = await errorOf(whimsy.auth.signIn({ username: uniqueName('ghost'), password: PASSWORD }))
    expect(e.code).toBe('NotAuthorized')
    expect(e.message).toBe('Incorrect username or password.')
  })

  it('says UserNotFound when a password reset is asked for an unknown user', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    expect(await codeOf(whimsy.auth.forgotPassword({ username: uniqueName('ghost') }))).toBe('UserNotFound')
  })

  it('refuses an unconfirmed user with NotConfirmed', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    const username = uniqueName()
    await whimsy.auth.signUp({ username, email: `${username}@example.com`, password: PASSWORD })
    expect(await codeOf(whimsy.auth.signIn({ username, password: PASSWORD }))).toBe('NotConfirmed')
  })

  it('refuses a wrong code, then an expired one, and a resent code works', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    const username = uniqueName()
    await whimsy.auth.signUp({ username, email: `${username}@example.com`, password: PASSWORD })
    const code = await latestCode(cloud, username)
    const wrong = code === '000000' ? '111111' : '000000'
    expect(await codeOf(whimsy.auth.confirmSignUp({ username, code: wrong }))).toBe('CodeMismatch')
    await fetch(`${cloud.urls.api}/_whimsy/mailbox/expire?username=${username}`, { method: 'POST' })
    const expired = await errorOf(whimsy.auth.confirmSignUp({ username, code }))
    expect(expired.code).toBe('CodeExpired')
    expect(expired.message).toMatch(/expired/)
    await whimsy.auth.resendCode({ username })
    const fresh = await latestCode(cloud, username)
    await whimsy.auth.confirmSignUp({ username, code: fresh })
    await whimsy.auth.signIn({ username, password: PASSWORD })
    expect(whimsy.auth.user?.username).toBe(username)
  })

  it('refuses a reused username with UsernameExists', async () => {
    const { username } = await signedInWhimsy(cloud)
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    expect(await codeOf(whimsy.auth.signUp({ username, email: 'someone-else@example.com', password: PASSWORD }))).toBe('UsernameExists')
  })

  it('enforces the password policy on the server too (cognito-local does not)', async () => {
    const idp = userPoolClient(cloud)
    const failure = await idp
      .send(
        new (await import('@aws-sdk/client-cognito-identity-provider')).SignUpCommand({
          ClientId: cloud.config.userPoolClientId,
          Username: uniqueName(),
          Password: 'short',
          UserAttributes: [{ Name: 'email', Value: 'x@example.com' }],
        }),
      )
      .catch((e: Error) => e)
    expect((failure as Error).name).toBe('InvalidPasswordException')
    expect((failure as Error).message).toMatch(/at least 8 characters/)
  })
})

describe('input checked before the network', () => {
  // Nothing listens on port 9: a request would fail with Network, not with the input error.
  const unreachable: WhimsyConfig = {
    ...cloud.config,
    endpoints: {
      cognitoIdentityProvider: 'http://127.0.0.1:9',
      cognitoIdentity: 'http://127.0.0.1:9',
      s3: 'http://127.0.0.1:9',
      dynamodb: 'http://127.0.0.1:9',
    },
  }
  const whimsy = createWhimsy(unreachable, { storage: memoryStorage() })

  it.each([
    ['an empty username', { username: '', email: 'a@example.com', password: PASSWORD }, 'InvalidInput', /username/],
    ['a username with a space', { username: 'a b', email: 'a@example.com', password: PASSWORD }, 'InvalidInput', /spaces/],
    ['a malformed e-mail', { username: 'alice', email: 'not-an-email', password: PASSWORD }, 'InvalidInput', /e-mail/],
    [
      'a password the policy rejects',
      { username: 'alice', email: 'a@example.com', password: 'abcdefgh' },
      'InvalidPassword',
      /needs a number\. Passwords need at least 8 characters, a lowercase letter and a number\./,
    ],
  ])('refuses %s', async (_name, input, code, message) => {
    const e = await errorOf(whimsy.auth.signUp(input))
    expect(e.code).toBe(code)
    expect(e.message).toMatch(message)
  })

  it('reports an unreachable service as Network', async () => {
    expect(await codeOf(whimsy.auth.signUp({ username: 'alice', email: 'a@example.com', password: PASSWORD }))).toBe('Network')
  })

  it('checks the config when createWhimsy is called', () => {
    expect(() => createWhimsy({ ...cloud.config, bucket: '' })).toThrow(/`bucket` is missing/)
  })
})

describe('sessions', () => {
  it('restores the session from storage, and sign-out clears it', async () => {
    const { whimsy, username, storage } = await signedInWhimsy(cloud)
    const identityId = whimsy.auth.user?.identityId
    const reloaded = createWhimsy(cloud.config, { storage })
    const changes: string[] = []
    reloaded.auth.onChange((_user, change) => changes.push(change))
    const restored = await reloaded.auth.ready
    expect(restored).toMatchObject({ username, identityId })
    expect(reloaded.auth.user?.username).toBe(username)
    expect(changes).toEqual(['restored'])
    expect((await sessionOf(reloaded.auth).credentials()).identityId).toBe(identityId)

    await reloaded.auth.signOut()
    expect(reloaded.auth.user).toBeNull()
    expect(await codeOf(sessionOf(reloaded.auth).credentials())).toBe('NotSignedIn')
    const again = createWhimsy(cloud.config, { storage })
    expect(await again.auth.ready).toBeNull()
  })

  it('keeps two users in one process apart', async () => {
    const a = await signedInWhimsy(cloud, 'alice')
    const b = await signedInWhimsy(cloud, 'bob')
    const [ca, cb] = await Promise.all([sessionOf(a.whimsy.auth).credentials(), sessionOf(b.whimsy.auth).credentials()])
    expect(ca.identityId).not.toBe(cb.identityId)
    expect(ca.accessKeyId).not.toBe(cb.accessKeyId)
    await s3For(b.whimsy).send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${cb.identityId}/secret.txt`, Body: 'bob only' }))
    const read = await s3For(a.whimsy)
      .send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key: `${cb.identityId}/secret.txt` }))
      .catch((e: Error) => e)
    expect((read as Error).name).toBe('AccessDenied')
  })

  it('signs out everywhere: other devices lose the session, refresh tokens are revoked', async () => {
    const phone = await signedInWhimsy(cloud, 'everywhere')
    const laptopStorage = memoryStorage()
    const laptop = createWhimsy(cloud.config, { storage: laptopStorage })
    await laptop.auth.signIn({ username: phone.username, password: PASSWORD })
    const refreshToken = laptopStorage.getItem(`CognitoIdentityServiceProvider.${cloud.config.userPoolClientId}.${phone.username}.refreshToken`)
    expect(refreshToken).toBeTruthy()

    await phone.whimsy.auth.signOut({ everywhere: true })
    expect(phone.whimsy.auth.user).toBeNull()

    // The laptop's refresh token is dead at the user pool…
    const idp = userPoolClient(cloud)
    const refresh = await idp
      .send(
        new InitiateAuthCommand({
          ClientId: cloud.config.userPoolClientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refreshToken ?? '' },
        }),
      )
      .catch((e: Error) => e)
    expect((refresh as Error).name).toBe('NotAuthorizedException')
    // …and when the laptop reloads, its ID token no longer buys credentials: the session is lost.
    const reloaded = createWhimsy(cloud.config, { storage: laptopStorage })
    const changes: string[] = []
    reloaded.auth.onChange((_user, change) => changes.push(change))
    await reloaded.auth.ready
    expect(await codeOf(sessionOf(reloaded.auth).credentials())).toBe('NotSignedIn')
    expect(reloaded.auth.user).toBeNull()
    expect(changes).toContain('sessionLost')

    // Signing in again afterwards works.
    const fresh = createWhimsy(cloud.config, { storage: memoryStorage() })
    await fresh.auth.signIn({ username: phone.username, password: PASSWORD })
    expect((await sessionOf(fresh.auth).credentials()).accessKeyId).toMatch(/^ASIA/)

    // The first laptop tab, still showing the user, signs out everywhere too: done, not an error.
    expect(laptop.auth.user).not.toBeNull()
    await laptop.auth.signOut({ everywhere: true })
    expect(laptop.auth.user).toBeNull()
  })
})

describe('passwords', () => {
  it('resets a forgotten password with the mailed code', async () => {
    const { username } = await signedInWhimsy(cloud)
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    await whimsy.auth.forgotPassword({ username })
    const code = await latestCode(cloud, username)
    expect(await codeOf(whimsy.auth.confirmNewPassword({ username, code, password: 'weak' }))).toBe('InvalidPassword')
    await whimsy.auth.confirmNewPassword({ username, code, password: 'brand-new-pass-7' })
    expect(await codeOf(whimsy.auth.signIn({ username, password: PASSWORD }))).toBe('NotAuthorized')
    await whimsy.auth.signIn({ username, password: 'brand-new-pass-7' })
    expect(whimsy.auth.user?.username).toBe(username)
  })

  it('changes the password of the signed-in user', async () => {
    const { whimsy, username } = await signedInWhimsy(cloud)
    expect(await codeOf(whimsy.auth.changePassword({ oldPassword: 'not-the-password-1', newPassword: 'another-pass-8' }))).toBe('NotAuthorized')
    await whimsy.auth.changePassword({ oldPassword: PASSWORD, newPassword: 'another-pass-8' })
    const other = createWhimsy(cloud.config, { storage: memoryStorage() })
    await other.auth.signIn({ username, password: 'another-pass-8' })
    expect(other.auth.user?.username).toBe(username)
  })
})

describe('delete account', () => {
  it('removes the files and key-value data first, then the user', async () => {
    const { whimsy, username } = await signedInWhimsy(cloud, 'leaving')
    const credentials = await sessionOf(whimsy.auth).credentials()
    const id = credentials.identityId
    const s3 = s3For(whimsy)
    for (const key of ['a.txt', 'public/index.html', 'deep/er/b.txt'])
      await s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${id}/${key}`, Body: key }))
    const ddb = documentClient(cloud, credentials)
    for (const key of ['settings/theme', 'counter']) await ddb.send(new PutCommand({ TableName: cloud.config.table, Item: { identityId: id, key, value: 1 } }))

    expect(await codeOf(whimsy.auth.deleteAccount({ password: 'wrong-password-9' }))).toBe('NotAuthorized')
    await whimsy.auth.deleteAccount({ password: PASSWORD })
    expect(whimsy.auth.user).toBeNull()

    const left = await adminS3(cloud).send(new ListObjectsV2Command({ Bucket: cloud.config.bucket, Prefix: `${id}/` }))
    expect(left.KeyCount).toBe(0)
    const items = await documentClient(cloud, cloud.admin).send(
      new QueryCommand({ TableName: cloud.config.table, KeyConditionExpression: 'identityId = :id', ExpressionAttributeValues: { ':id': id } }),
    )
    expect(items.Count).toBe(0)
    const again = createWhimsy(cloud.config, { storage: memoryStorage() })
    expect(await codeOf(again.auth.signIn({ username, password: PASSWORD }))).toBe('NotAuthorized')
    expect(await codeOf(again.auth.forgotPassword({ username }))).toBe('UserNotFound')
  })
})
