/**
 * Requests that must be refused however close to valid they look: a wrong secret, a tampered
 * or expired presigned URL, expired credentials, and forged or expired ID tokens.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { startLocalCloud } from '@whimsy/local-cloud'
import { decodeProtectedHeader, generateKeyPair, importPKCS8, SignJWT } from 'jose'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, loginsFor, s3Client, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
let alice: TestUser

beforeAll(async () => {
  alice = await createUser(cloud, 'sig')
  await alice.s3.send(new PutObjectCommand({ Bucket, Key: `${alice.identityId}/a.txt`, Body: 'A' }))
})

const identityClient = () => new CognitoIdentityClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.cognitoIdentity })

describe('SigV4', () => {
  it('refuses a request signed with the wrong secret', async () => {
    const forged = s3Client(cloud, { ...alice.credentials, secretAccessKey: 'not-the-secret' })
    await expect(forged.send(new GetObjectCommand({ Bucket, Key: `${alice.identityId}/a.txt` }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' })
  })

  it('refuses a session token that was edited', async () => {
    const [payload = '', mac] = (alice.credentials.sessionToken ?? '').split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const edited = `${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1e9 })).toString('base64url')}.${mac}`
    const client = s3Client(cloud, { ...alice.credentials, sessionToken: edited })
    await expect(client.send(new GetObjectCommand({ Bucket, Key: `${alice.identityId}/a.txt` }))).rejects.toMatchObject({ name: 'InvalidToken' })
  })

  it('serves a presigned URL, and refuses it tampered or expired', async () => {
    const url = await getSignedUrl(alice.s3, new GetObjectCommand({ Bucket, Key: `${alice.identityId}/a.txt` }), { expiresIn: 60 })
    expect(await (await fetch(url)).text()).toBe('A')
    const otherKey = url.replace('/a.txt', '/b.txt')
    expect((await fetch(otherKey)).status).toBe(403)
    const longer = url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=3600')
    expect((await fetch(longer)).status).toBe(403)
    const old = await getSignedUrl(alice.s3, new GetObjectCommand({ Bucket, Key: `${alice.identityId}/a.txt` }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    })
    const res = await fetch(old)
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('expired')
  })
})

describe('identity pool', () => {
  it('gives the same identityId for the same user, a different one for another', async () => {
    const id = await identityClient().send(new GetIdCommand({ IdentityPoolId: cloud.config.identityPoolId, Logins: loginsFor(cloud, alice.idToken) }))
    expect(id.IdentityId).toBe(alice.identityId)
    expect(alice.identityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/)
  })

  it('refuses anonymous identities: the pool has no unauthenticated role', async () => {
    await expect(identityClient().send(new GetIdCommand({ IdentityPoolId: cloud.config.identityPoolId }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    })
  })

  it("refuses credentials for someone else's identityId", async () => {
    const bob = await createUser(cloud, 'sig-bob')
    await expect(
      identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: bob.identityId, Logins: loginsFor(cloud, alice.idToken) })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' })
  })

  it('refuses ID tokens signed with another key, expired, or for another app client', async () => {
    const claims = JSON.parse(Buffer.from(alice.idToken.split('.')[1] ?? '', 'base64url').toString())
    const now = Math.floor(Date.now() / 1000)
    // The user pool signs with its data directory's key (issue 11, finding 4), which this
    // test, as the directory's owner, can read to mint tokens that pass the signature check.
    const realKey = await importPKCS8(readFileSync(join(cloud.dataDir, 'user-pool-key.pem'), 'utf8'), 'RS256')
    const { kid } = decodeProtectedHeader(alice.idToken)
    const sign = (key: Parameters<SignJWT['sign']>[0], payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(key)
    const { privateKey: otherKey } = await generateKeyPair('RS256')

    const valid = await sign(realKey, { ...claims, iat: now, exp: now + 600 })
    const tokens = {
      forged: await sign(otherKey, { ...claims, iat: now, exp: now + 600 }),
      expired: await sign(realKey, { ...claims, iat: now - 7200, exp: now - 3600 }),
      wrongAudience: await sign(realKey, { ...claims, aud: 'another-client', iat: now, exp: now + 600 }),
      accessToken: await sign(realKey, { ...claims, token_use: 'access', iat: now, exp: now + 600 }),
    }
    const getId = (token: string) => identityClient().send(new GetIdCommand({ IdentityPoolId: cloud.config.identityPoolId, Logins: loginsFor(cloud, token) }))
    expect((await getId(valid)).IdentityId).toBe(alice.identityId)
    for (const [name, token] of Object.entries(tokens)) {
      await expect(getId(token), name).rejects.toMatchObject({ name: 'NotAuthorizedException' })
    }
  })
})

describe('credential expiry', () => {
  it('refuses credentials once they have expired', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-expiry-'))
    const shortLived = await startLocalCloud({ dataDir, credentialLifetimeSeconds: 1 })
    try {
      const info = { config: shortLived.config, urls: shortLived.urls, admin: shortLived.admin, dataDir }
      const user = await createUser(info, 'expiry')
      const Key = `${user.identityId}/x.txt`
      await user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))
      await new Promise((r) => setTimeout(r, 1200))
      await expect(user.s3.send(new GetObjectCommand({ Bucket, Key }))).rejects.toMatchObject({ name: 'ExpiredToken' })
    } finally {
      await shortLived.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
