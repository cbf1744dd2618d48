/** Data written before a restart is there after it: files, items, users and their identity. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers'
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { startLocalCloud } from '@whimsy/local-cloud'
import { afterAll, expect, it } from 'vitest'
import { createUser, documentClient, loginsFor, s3Client, signIn } from '../../../test/users.js'

const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-restart-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

it('keeps files, key-value items, accounts and identity ids across a restart', async () => {
  let cloud = await startLocalCloud({ dataDir })
  const info = () => ({ config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir })
  const user = await createUser(info(), 'restart')
  const Key = `${user.identityId}/kept.txt`
  await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key, Body: 'still here' }))
  await user.ddb.send(new PutCommand({ TableName: cloud.config.table, Item: { identityId: user.identityId, key: 'k', v: 42 } }))
  await cloud.stop()

  cloud = await startLocalCloud({ dataDir })
  try {
    // Credentials issued before the restart still work…
    const s3 = s3Client(info(), user.credentials)
    expect(await (await s3.send(new GetObjectCommand({ Bucket: cloud.config.bucket, Key }))).Body?.transformToString()).toBe('still here')
    // …and signing in again yields the same identity and data.
    const idToken = await signIn(info(), user.username)
    const credentials = await fromCognitoIdentityPool({
      identityPoolId: cloud.config.identityPoolId,
      logins: loginsFor(info(), idToken),
      clientConfig: { region: cloud.config.region, endpoint: cloud.config.endpoints?.cognitoIdentity },
    })()
    expect((credentials as { identityId?: string }).identityId).toBe(user.identityId)
    const item = await documentClient(info(), credentials).send(
      new GetCommand({ TableName: cloud.config.table, Key: { identityId: user.identityId, key: 'k' } }),
    )
    expect(item.Item?.v).toBe(42)
  } finally {
    await cloud.stop()
  }
})
