/**
 * Account deletion erases everything (issue 14): after `deleteAccount` no version of any file,
 * no delete marker, no unfinished upload, no key-value item and no handle of the user remain;
 * another user's data is untouched; the erase function (`DELETE <handlesApi>/account`) erases
 * only the identity its verified token names, and refuses forged tokens. The change log goes too.
 */
import { CreateMultipartUploadCommand, DeleteObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, inject, it } from 'vitest'
import { adminS3, createUser, documentClient, type TestUser } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import { PASSWORD, signedInWhimsy, uniqueName } from './sdk-users.js'

const cloud = inject('cloud')
const { bucket, table } = cloud.config

/** Files with history (overwritten, deleted), an unfinished upload, items and a handle. */
async function fill(user: { identityId: string; credentials: TestUser['credentials'] }) {
  const s3 = adminS3(cloud)
  const id = user.identityId
  for (const body of ['v1', 'v2', 'v3']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${id}/notes/a.txt`, Body: body }))
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${id}/public/index.html`, Body: 'site' }))
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${id}/gone.txt`, Body: 'x' }))
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${id}/gone.txt` }))
  await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${id}/big.bin` }))
  const ddb = documentClient(cloud, user.credentials)
  for (const key of ['settings/theme', 'app/x/counter']) await ddb.send(new PutCommand({ TableName: table, Item: { identityId: id, key, value: 1 } }))
}

async function remaining(identityId: string) {
  const s3 = adminS3(cloud)
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${identityId}/` }))
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${identityId}/` }))
  const items = await documentClient(cloud, cloud.admin).send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'identityId = :id', ExpressionAttributeValues: { ':id': identityId } }),
  )
  return {
    versions: versions.Versions?.length ?? 0,
    markers: versions.DeleteMarkers?.length ?? 0,
    uploads: uploads.Uploads?.length ?? 0,
    items: items.Count ?? 0,
  }
}

/** Entries in the user's change log (issue 15): the writes above are logged, and the erase takes the log too. */
async function logged(identityId: string): Promise<number> {
  const log = await documentClient(cloud, cloud.admin).send(
    new QueryCommand({ TableName: cloud.config.changes?.table, KeyConditionExpression: 'identityId = :id', ExpressionAttributeValues: { ':id': identityId } }),
  )
  return log.Count ?? 0
}

const resolves = async (handle: string) => (await fetch(`${cloud.config.handlesApi}/resolve/${handle}`)).status
const erase = (idToken: string) => fetch(`${cloud.config.handlesApi}/account`, { method: 'DELETE', headers: { authorization: `Bearer ${idToken}` } })

describe('deleteAccount erases everything the user owns', () => {
  it('no version, delete marker, upload, item or handle remains, and the neighbour keeps everything', async () => {
    const { whimsy } = await signedInWhimsy(cloud, 'erased')
    const credentials = await sessionOf(whimsy.auth).credentials()
    const id = credentials.identityId
    const handle = uniqueName('gone').toLowerCase()
    await whimsy.sites.claimHandle(handle)
    await fill({ identityId: id, credentials })
    const neighbour = await createUser(cloud, 'neighbour')
    await fill(neighbour)
    const before = await remaining(neighbour.identityId)
    expect(await remaining(id)).toMatchObject({ versions: 5, markers: 1, uploads: 1, items: 2 })
    await expect.poll(() => logged(id)).toBeGreaterThan(0)
    expect(await resolves(handle)).toBe(200)

    await whimsy.auth.deleteAccount({ password: PASSWORD })

    expect(await remaining(id)).toEqual({ versions: 0, markers: 0, uploads: 0, items: 0 })
    expect(await logged(id)).toBe(0)
    expect(await logged(neighbour.identityId)).toBeGreaterThan(0)
    expect(await resolves(handle)).toBe(404)
    expect(await remaining(neighbour.identityId)).toEqual(before)
  })
})

describe('the erase function', () => {
  it("erases only the identity of the token's own user", async () => {
    const alice = await createUser(cloud, 'alice-keeps')
    const bob = await createUser(cloud, 'bob-erases')
    await fill(alice)
    await fill(bob)
    const aliceBefore = await remaining(alice.identityId)
    const res = await erase(bob.idToken)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ versions: 6, uploads: 1, items: 2 }) // 5 versions and a delete marker
    expect(await remaining(bob.identityId)).toEqual({ versions: 0, markers: 0, uploads: 0, items: 0 })
    expect(await remaining(alice.identityId)).toEqual(aliceBefore)
  })

  it('refuses a forged, a missing and a non-ID token, and erases nothing', async () => {
    const victim = await createUser(cloud, 'victim')
    await fill(victim)
    const before = await remaining(victim.identityId)
    const [header, payload] = victim.idToken.split('.')
    for (const token of [`${header}.${payload}.forged`, 'not-a-token']) expect((await erase(token)).status).toBe(401)
    expect((await fetch(`${cloud.config.handlesApi}/account`, { method: 'DELETE' })).status).toBe(401)
    expect((await fetch(`${cloud.config.handlesApi}/account`, { method: 'POST', headers: { authorization: `Bearer ${victim.idToken}` } })).status).toBe(405)
    expect(await remaining(victim.identityId)).toEqual(before)
  })
})
