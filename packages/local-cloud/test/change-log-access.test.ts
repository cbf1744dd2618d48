/**
 * The change log's access rules (issue 15), against the running local cloud through the real
 * SDK clients: a user reads their own log, nobody else's; nobody writes any log, not even their
 * own (only the feed writer appends); anonymous callers reach nothing. Each denial here would
 * turn into an allow if the `ReadOwnChangeLog` statement broke.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, documentClient, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
const changes = cloud.config.changes
if (!changes) throw new Error('the local cloud serves no change feed')
const TableName = changes.table

let alice: TestUser
let bob: TestUser

const logOf = (user: TestUser, owner = user.identityId) =>
  user.ddb.send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'identityId = :id AND seq > :zero',
      ExpressionAttributeValues: { ':id': owner, ':zero': 0 },
      ConsistentRead: true,
    }),
  )

/** The log is appended after the write is acknowledged: wait for it by reading, as a client would. */
async function logReaches(user: TestUser, count: number) {
  for (;;) {
    const items = (await logOf(user)).Items ?? []
    if (items.length >= count) return items
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function denied(p: Promise<unknown>) {
  await expect(p).rejects.toMatchObject({ name: 'AccessDeniedException' })
}

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([createUser(cloud, 'alice'), createUser(cloud, 'bob')])
  await bob.s3.send(new PutObjectCommand({ Bucket, Key: `${bob.identityId}/diary.txt`, Body: 'dear diary' }))
  await bob.ddb.send(new PutCommand({ TableName: cloud.config.table, Item: { identityId: bob.identityId, key: ':mood', json: '"sunny"', version: 7 } }))
})

describe('the change log: its owner reads it, nobody writes it', () => {
  it('a file write and a key-value write appear in their owner’s log, readable with the owner’s credentials', async () => {
    const items = await logReaches(bob, 2)
    expect(items.map((i) => [i.seq, i.kind, i.op, i.path ?? i.key])).toEqual([
      [1, 'file', 'put', '/diary.txt'],
      [2, 'kv', 'put', ':mood'],
    ])
    expect(items[1]?.version).toBe(7)
    expect((await bob.ddb.send(new GetCommand({ TableName, Key: { identityId: bob.identityId, seq: 0 } }))).Item?.head).toBe(2)
  })

  it("another user cannot read a user's log (Query or GetItem) and finds nothing of theirs in their own", async () => {
    await logReaches(bob, 2)
    await denied(logOf(alice, bob.identityId))
    await denied(alice.ddb.send(new GetCommand({ TableName, Key: { identityId: bob.identityId, seq: 1 } })))
    expect((await logOf(alice)).Items).toEqual([])
  })

  it('the writer’s bookkeeping partitions are out of reach of everyone', async () => {
    await denied(
      bob.ddb.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'identityId = :id',
          ExpressionAttributeValues: { ':id': `#key#${bob.identityId}#file#/diary.txt` },
        }),
      ),
    )
    await denied(bob.ddb.send(new ScanCommand({ TableName })))
  })

  it('nobody can write a log, not even their own: put, update, delete, batch', async () => {
    for (const owner of [alice, bob]) {
      const Key = { identityId: owner.identityId, seq: 1 }
      await denied(alice.ddb.send(new PutCommand({ TableName, Item: { ...Key, kind: 'file', op: 'delete', path: '/diary.txt', eventId: 'forged' } })))
      await denied(alice.ddb.send(new UpdateCommand({ TableName, Key, UpdateExpression: 'SET op = :d', ExpressionAttributeValues: { ':d': 'delete' } })))
      await denied(alice.ddb.send(new DeleteCommand({ TableName, Key })))
      await denied(alice.ddb.send(new BatchWriteCommand({ RequestItems: { [TableName]: [{ DeleteRequest: { Key } }] } })))
      await denied(
        alice.ddb.send(
          new UpdateCommand({
            TableName,
            Key: { identityId: owner.identityId, seq: 0 },
            UpdateExpression: 'ADD head :n',
            ExpressionAttributeValues: { ':n': 1000 },
          }),
        ),
      )
    }
    expect((await logReaches(bob, 2)).map((i) => i.op)).toEqual(['put', 'put'])
  })

  it('anonymous callers cannot read any log', async () => {
    const anonymous = documentClient(cloud, { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' })
    await expect(anonymous.send(new GetCommand({ TableName, Key: { identityId: bob.identityId, seq: 1 } }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    })
  })
})
