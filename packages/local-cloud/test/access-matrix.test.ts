/**
 * The cells of the access-rule matrix (ARCHITECTURE.md, "Trust boundaries") that the other
 * suites left open, against the running local cloud with real clients: each user's own
 * identity-pool credentials in the raw AWS SDK clients, and unsigned requests for anonymous
 * callers. File versions beyond the owner's own (another user's and a stranger's reads and
 * deletes of history, old versions of public files), and anonymous callers of the key-value
 * table and the change log for every kind of call. Each denial would become an allow if its
 * rule broke; each check of the victim's data after it proves nothing was written.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { anonymousS3, createUser, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
const TableName = cloud.config.table
const changeLog = cloud.config.changes?.table
if (!changeLog) throw new Error('the local cloud serves no change feed')

let alice: TestUser
let bob: TestUser
/** Bob's two versions of a private and of a public file: [old, latest]. */
const versions = { secret: [] as string[], page: [] as string[] }

const secretKey = () => `${bob.identityId}/history/secret.txt`
const pageKey = () => `${bob.identityId}/public/history.html`

async function putVersion(Key: string, Body: string): Promise<string> {
  const { VersionId } = await bob.s3.send(new PutObjectCommand({ Bucket, Key, Body }))
  if (!VersionId) throw new Error('the bucket is not versioned')
  return VersionId
}

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([createUser(cloud, 'm-alice'), createUser(cloud, 'm-bob')])
  versions.secret = [await putVersion(secretKey(), 'secret v1'), await putVersion(secretKey(), 'secret v2')]
  versions.page = [await putVersion(pageKey(), 'page v1 (unpublished draft)'), await putVersion(pageKey(), 'page v2')]
  await bob.ddb.send(new PutCommand({ TableName, Item: { identityId: bob.identityId, key: 'settings', theme: 'dark' } }))
})

const body = async (s3: S3Client, Key: string, VersionId?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body?.transformToString()

async function denied(p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })
}

describe('file versions: only their owner reads them, nobody destroys them', () => {
  it('another user can neither read nor delete any version of a private file', async () => {
    for (const VersionId of versions.secret) {
      await denied(alice.s3.send(new GetObjectCommand({ Bucket, Key: secretKey(), VersionId })))
      // A HEAD answer has no body to name its error: the status says it.
      await expect(alice.s3.send(new HeadObjectCommand({ Bucket, Key: secretKey(), VersionId }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } })
      await denied(alice.s3.send(new DeleteObjectCommand({ Bucket, Key: secretKey(), VersionId })))
    }
    expect(await body(bob.s3, secretKey(), versions.secret[0])).toBe('secret v1')
  })

  it('a public file is public in its latest version only: old versions stay private to their owner', async () => {
    expect(await body(alice.s3, pageKey())).toBe('page v2')
    expect(await body(anonymousS3(cloud), pageKey())).toBe('page v2')
    await denied(alice.s3.send(new GetObjectCommand({ Bucket, Key: pageKey(), VersionId: versions.page[0] })))
    await denied(anonymousS3(cloud).send(new GetObjectCommand({ Bucket, Key: pageKey(), VersionId: versions.page[0] })))
    expect(await body(bob.s3, pageKey(), versions.page[0])).toBe('page v1 (unpublished draft)')
  })

  it('an anonymous caller can neither read, list nor delete versions, public or private', async () => {
    const anon = anonymousS3(cloud)
    await denied(anon.send(new GetObjectCommand({ Bucket, Key: secretKey(), VersionId: versions.secret[0] })))
    for (const [Key, ids] of [
      [secretKey(), versions.secret],
      [pageKey(), versions.page],
    ] as const)
      for (const VersionId of ids) await denied(anon.send(new DeleteObjectCommand({ Bucket, Key, VersionId })))
    await denied(anon.send(new ListObjectVersionsCommand({ Bucket, Prefix: `${bob.identityId}/public/` })))
    // An unversioned delete of a public file would only add a delete marker, and is refused too.
    await denied(anon.send(new DeleteObjectCommand({ Bucket, Key: pageKey() })))
    const listed = await bob.s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: `${bob.identityId}/` }))
    expect(listed.DeleteMarkers ?? []).toEqual([])
    expect(listed.Versions?.map((v) => v.VersionId).sort()).toEqual([...versions.secret, ...versions.page].sort())
  })

  it('another user cannot list versions of a public folder, or of the whole bucket', async () => {
    await denied(alice.s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: `${bob.identityId}/public/` })))
    await denied(alice.s3.send(new ListObjectVersionsCommand({ Bucket })))
    await denied(alice.s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: alice.identityId })))
  })
})

/** An unsigned DynamoDB call, as a browser with no session would send it. */
async function unsignedDynamoDb(target: string, request: unknown): Promise<{ status: number; type: string }> {
  const res = await fetch(cloud.urls.api, {
    method: 'POST',
    headers: { 'x-amz-target': `DynamoDB_20120810.${target}`, 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(request),
  })
  return { status: res.status, type: ((await res.json()) as { __type?: string }).__type ?? '' }
}

const S = (s: string) => ({ S: s })
const N = (n: number) => ({ N: String(n) })

describe('anonymous callers reach no key-value data and no change log, for any call', () => {
  const calls = (table: string, key: Record<string, unknown>, owner: string) =>
    [
      ['GetItem', { TableName: table, Key: key }],
      ['Query', { TableName: table, KeyConditionExpression: 'identityId = :id', ExpressionAttributeValues: { ':id': S(owner) } }],
      ['PutItem', { TableName: table, Item: { ...key, forged: S('yes') } }],
      ['UpdateItem', { TableName: table, Key: key, UpdateExpression: 'SET forged = :y', ExpressionAttributeValues: { ':y': S('yes') } }],
      ['DeleteItem', { TableName: table, Key: key }],
      ['BatchWriteItem', { RequestItems: { [table]: [{ DeleteRequest: { Key: key } }] } }],
      ['BatchGetItem', { RequestItems: { [table]: { Keys: [key] } } }],
      ['Scan', { TableName: table }],
    ] as const

  it('key-value data: read, list, write and delete are refused before any policy is looked at', async () => {
    for (const [target, request] of calls(TableName, { identityId: S(bob.identityId), key: S('settings') }, bob.identityId))
      expect(await unsignedDynamoDb(target, request), target).toEqual({ status: 400, type: expect.stringMatching(/MissingAuthenticationToken/) })
    expect((await bob.ddb.send(new GetCommand({ TableName, Key: { identityId: bob.identityId, key: 'settings' } }))).Item).toEqual({
      identityId: bob.identityId,
      key: 'settings',
      theme: 'dark',
    })
  })

  it('the change log: read, list, write and delete are refused too', async () => {
    // Bob's writes above are appended to his log after they are acknowledged: wait for the first
    // entry by reading, as a client would.
    const first = () => bob.ddb.send(new GetCommand({ TableName: changeLog, Key: { identityId: bob.identityId, seq: 1 }, ConsistentRead: true }))
    let entry = (await first()).Item
    while (!entry) {
      await new Promise((r) => setTimeout(r, 20))
      entry = (await first()).Item
    }
    for (const [target, request] of calls(changeLog, { identityId: S(bob.identityId), seq: N(1) }, bob.identityId))
      expect(await unsignedDynamoDb(target, request), target).toEqual({ status: 400, type: expect.stringMatching(/MissingAuthenticationToken/) })
    expect((await first()).Item).toEqual(entry)
  })
})
