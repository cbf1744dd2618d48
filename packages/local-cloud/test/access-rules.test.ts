/**
 * The access rules, tested against the running local cloud through the real SDK clients:
 * own / other user / anonymous × read / write / list / delete, for private files, public files
 * and key-value data. Each denial here would turn into an allow if its policy line broke.
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { adminS3, anonymousS3, createUser, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
const TableName = cloud.config.table

let alice: TestUser
let bob: TestUser

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([createUser(cloud, 'alice'), createUser(cloud, 'bob')])
  // Bob's files, for Alice and strangers to try to reach.
  for (const Key of [`${bob.identityId}/secret.txt`, `${bob.identityId}/public/index.html`])
    await bob.s3.send(new PutObjectCommand({ Bucket, Key, Body: `bob:${Key}` }))
  await bob.ddb.send(new PutCommand({ TableName, Item: { identityId: bob.identityId, key: 'settings', theme: 'dark' } }))
})

async function denied(p: Promise<unknown>, code = 'AccessDenied'): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: code })
}

const text = async (s3: S3Client, Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString()

describe('files: each user in their own folder', () => {
  for (const folder of ['', 'public/']) {
    it(`a user can put, get, head, list and delete under their own ${folder || 'private '}folder`, async () => {
      const Key = `${alice.identityId}/${folder}notes/todo.txt`
      await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'milk' }))
      expect(await text(alice.s3, Key)).toBe('milk')
      expect((await alice.s3.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength).toBe(4)
      const list = await alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${alice.identityId}/${folder}notes/` }))
      expect(list.Contents?.map((o) => o.Key)).toEqual([Key])
      await alice.s3.send(new DeleteObjectCommand({ Bucket, Key }))
      await expect(alice.s3.send(new HeadObjectCommand({ Bucket, Key }))).rejects.toMatchObject({ name: 'NotFound' })
    })
  }

  it("another user cannot read, write, head or delete a user's private files", async () => {
    const Key = `${bob.identityId}/secret.txt`
    await denied(alice.s3.send(new GetObjectCommand({ Bucket, Key })))
    await expect(alice.s3.send(new HeadObjectCommand({ Bucket, Key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } })
    await denied(alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'overwritten' })))
    await denied(alice.s3.send(new DeleteObjectCommand({ Bucket, Key })))
    expect(await text(bob.s3, Key)).toBe(`bob:${Key}`)
  })

  it("another user can read a user's public files but not write or delete them", async () => {
    const Key = `${bob.identityId}/public/index.html`
    expect(await text(alice.s3, Key)).toBe(`bob:${Key}`)
    await denied(alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'defaced' })))
    await denied(alice.s3.send(new DeleteObjectCommand({ Bucket, Key })))
    expect(await text(bob.s3, Key)).toBe(`bob:${Key}`)
  })

  it('listing is allowed only under the own prefix with its slash', async () => {
    await denied(alice.s3.send(new ListObjectsV2Command({ Bucket })))
    await denied(alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: '' })))
    await denied(alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${bob.identityId}/` })))
    await denied(alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${bob.identityId}/public/` })))
    // Without its slash the own id is a prefix of other ids' keys too.
    await denied(alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: alice.identityId })))
    await denied(alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: alice.identityId.split(':')[0] })))
    const own = await alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${alice.identityId}/` }))
    expect(own.$metadata.httpStatusCode).toBe(200)
  })

  it('a copy needs read access to its source', async () => {
    const { CopyObjectCommand } = await import('@aws-sdk/client-s3')
    await denied(alice.s3.send(new CopyObjectCommand({ Bucket, Key: `${alice.identityId}/stolen.txt`, CopySource: `${Bucket}/${bob.identityId}/secret.txt` })))
    await alice.s3.send(new CopyObjectCommand({ Bucket, Key: `${alice.identityId}/copy.html`, CopySource: `${Bucket}/${bob.identityId}/public/index.html` }))
    expect(await text(alice.s3, `${alice.identityId}/copy.html`)).toBe(`bob:${bob.identityId}/public/index.html`)
  })

  it('DeleteObjects deletes the own keys and answers AccessDenied for the others', async () => {
    const mine = `${alice.identityId}/batch.txt`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: mine, Body: 'x' }))
    const theirs = `${bob.identityId}/secret.txt`
    const result = await alice.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: mine }, { Key: theirs }] } }))
    expect(result.Deleted?.map((d) => d.Key)).toEqual([mine])
    expect(result.Errors?.map((e) => [e.Key, e.Code])).toEqual([[theirs, 'AccessDenied']])
    expect(await text(bob.s3, theirs)).toBe(`bob:${theirs}`)
  })

  it('keys with dot segments never reach the filesystem store', async () => {
    const Key = `${alice.identityId}/../${bob.identityId}/secret.txt`
    await expect(alice.s3.send(new GetObjectCommand({ Bucket, Key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } })
    await expect(alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } })
    expect(await text(bob.s3, `${bob.identityId}/secret.txt`)).toBe(`bob:${bob.identityId}/secret.txt`)
  })

  it('ACL headers are refused: the policy is the only access rule', async () => {
    await expect(alice.s3.send(new PutObjectCommand({ Bucket, Key: `${alice.identityId}/acl.txt`, Body: 'x', ACL: 'public-read' }))).rejects.toMatchObject({
      name: 'AccessControlListNotSupported',
    })
  })
})

describe('anonymous visitors', () => {
  it('can get and head public files', async () => {
    const anon = anonymousS3(cloud)
    const Key = `${bob.identityId}/public/index.html`
    expect(await text(anon, Key)).toBe(`bob:${Key}`)
    expect((await anon.send(new HeadObjectCommand({ Bucket, Key }))).$metadata.httpStatusCode).toBe(200)
    const res = await fetch(`${cloud.urls.api}/${Bucket}/${encodeURIComponent(bob.identityId)}/public/index.html`)
    expect(res.status).toBe(200)
  })

  it('cannot read private files, write, delete or list anything', async () => {
    const anon = anonymousS3(cloud)
    // A private sub-folder that happens to be called "public" is still private.
    const nested = `${bob.identityId}/notes/public/diary.txt`
    await bob.s3.send(new PutObjectCommand({ Bucket, Key: nested, Body: 'dear diary' }))
    await denied(anon.send(new GetObjectCommand({ Bucket, Key: nested })))
    await denied(alice.s3.send(new GetObjectCommand({ Bucket, Key: nested })))
    await denied(anon.send(new GetObjectCommand({ Bucket, Key: `${bob.identityId}/secret.txt` })))
    await denied(anon.send(new PutObjectCommand({ Bucket, Key: `${bob.identityId}/public/new.html`, Body: 'x' })))
    await denied(anon.send(new DeleteObjectCommand({ Bucket, Key: `${bob.identityId}/public/index.html` })))
    await denied(anon.send(new ListObjectsV2Command({ Bucket, Prefix: `${bob.identityId}/public/` })))
    const del = await anon.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: `${bob.identityId}/public/index.html` }] } }))
    expect(del.Errors?.[0]?.Code).toBe('AccessDenied')
    expect(await text(bob.s3, `${bob.identityId}/public/index.html`)).toBe(`bob:${bob.identityId}/public/index.html`)
  })

  it('cannot use DynamoDB at all', async () => {
    const res = await fetch(cloud.urls.api, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ TableName, Key: { identityId: { S: bob.identityId }, key: { S: 'settings' } } }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { __type: string }).__type).toMatch(/MissingAuthenticationToken/)
  })
})

describe('key-value data: each user in their own partition', () => {
  it('a user can put, get, update, query and delete in their own partition', async () => {
    const Key = { identityId: alice.identityId, key: 'counter' }
    await alice.ddb.send(new PutCommand({ TableName, Item: { ...Key, n: 1 } }))
    await alice.ddb.send(new UpdateCommand({ TableName, Key, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }))
    expect((await alice.ddb.send(new GetCommand({ TableName, Key }))).Item?.n).toBe(2)
    const q = await alice.ddb.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: '#id = :id',
        ExpressionAttributeNames: { '#id': 'identityId' },
        ExpressionAttributeValues: { ':id': alice.identityId },
      }),
    )
    expect(q.Items?.map((i) => i.key)).toContain('counter')
    await alice.ddb.send(new BatchWriteCommand({ RequestItems: { [TableName]: [{ PutRequest: { Item: { identityId: alice.identityId, key: 'b1' } } }] } }))
    const got = await alice.ddb.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [{ identityId: alice.identityId, key: 'b1' }] } } }))
    expect(got.Responses?.[TableName]).toHaveLength(1)
    await alice.ddb.send(new DeleteCommand({ TableName, Key }))
    expect((await alice.ddb.send(new GetCommand({ TableName, Key }))).Item).toBeUndefined()
  })

  it("another user cannot get, put, update, delete or query a user's partition", async () => {
    const Key = { identityId: bob.identityId, key: 'settings' }
    const code = 'AccessDeniedException'
    await denied(alice.ddb.send(new GetCommand({ TableName, Key })), code)
    await denied(alice.ddb.send(new PutCommand({ TableName, Item: { ...Key, theme: 'hacked' } })), code)
    await denied(alice.ddb.send(new UpdateCommand({ TableName, Key, UpdateExpression: 'SET theme = :t', ExpressionAttributeValues: { ':t': 'x' } })), code)
    await denied(alice.ddb.send(new DeleteCommand({ TableName, Key })), code)
    await denied(
      alice.ddb.send(new QueryCommand({ TableName, KeyConditionExpression: 'identityId = :id', ExpressionAttributeValues: { ':id': bob.identityId } })),
      code,
    )
    // Mixing an own key with another's is denied as a whole, as on AWS.
    await denied(alice.ddb.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [{ identityId: alice.identityId, key: 'x' }, Key] } } })), code)
    await denied(alice.ddb.send(new BatchWriteCommand({ RequestItems: { [TableName]: [{ DeleteRequest: { Key } }] } })), code)
    expect((await bob.ddb.send(new GetCommand({ TableName, Key }))).Item?.theme).toBe('dark')
  })

  it('Scan is denied, even though ForAllValues over no leading keys is vacuously true', async () => {
    await denied(alice.ddb.send(new ScanCommand({ TableName })), 'AccessDeniedException')
  })
})

describe('the administrator (account owner)', () => {
  it('can list the whole bucket, which no user can', async () => {
    // No prefix: the whole bucket. StartAfter lands the page on bob's keys however many other
    // tests' keys sort before them (one page holds 1,000).
    const all = await adminS3(cloud).send(new ListObjectsV2Command({ Bucket, StartAfter: bob.identityId }))
    expect(all.Contents?.some((o) => o.Key?.startsWith(`${bob.identityId}/`))).toBe(true)
  })
})
