/**
 * The feed writer against the running local cloud's change-log table, through the gateway
 * with the account owner's key (the writer is trusted code; users cannot write the log).
 * Fed S3 event records and stream records shaped as AWS sends them.
 */
import { randomUUID } from 'node:crypto'
import { DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, inject, it } from 'vitest'
import {
  ChangeLogWriter,
  changeOfKvWrite,
  changeOfS3Record,
  eraseChangeLog,
  keyStatePartition,
  kvWriteOfStreamRecord,
  type S3EventRecordLike,
} from '../src/index.js'

const cloud = inject('cloud')
const table = cloud.config.changes?.table as string
const ddb = new DynamoDBClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.dynamodb, credentials: cloud.admin })
afterAll(() => ddb.destroy())

const newIdentity = () => `us-east-1:${randomUUID()}`
const rings: [string, number][] = []
const writer = new ChangeLogWriter({ ddb, table, onAppended: (id, head) => void rings.push([id, head]) })

function s3Record(identityId: string, path: string, sequencer: string, eventName = 'ObjectCreated:Put'): S3EventRecordLike {
  return {
    eventName,
    eventTime: '2026-12-01T12:00:00.000Z',
    s3: { object: { key: `${identityId}${path}`.replace(/ /g, '+'), size: 3, eTag: 'abc', versionId: `v${sequencer}`, sequencer } },
  }
}

async function log(identityId: string, from = 0) {
  const out = await ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'identityId = :id AND seq > :from',
      ExpressionAttributeValues: { ':id': { S: identityId }, ':from': { N: String(from) } },
      ConsistentRead: true,
    }),
  )
  return (out.Items ?? []).map((i) => ({ seq: Number(i.seq?.N), op: i.op?.S, path: i.path?.S, key: i.key?.S, versionId: i.versionId?.S }))
}

describe('the feed writer', () => {
  it('appends each event once: a repeated delivery is recognised by its event id', async () => {
    const id = newIdentity()
    const record = s3Record(id, '/a b.txt', '0055')
    const change = changeOfS3Record(record)
    if (!change) throw new Error('no change')
    expect(change).toMatchObject({ identityId: id, name: '/a b.txt', op: 'put', etag: '"abc"', size: 3 })
    expect(await writer.append([change])).toEqual([{ appended: 1 }])
    expect(await writer.append([changeOfS3Record(record)!])).toEqual([{ skipped: 'duplicate' }])
    expect(await log(id)).toEqual([{ seq: 1, op: 'put', path: '/a b.txt', key: undefined, versionId: 'v0055' }])
    expect(rings).toContainEqual([id, 1])
  })

  it("orders one key's events by sequencer, and drops one older than what is logged", async () => {
    const id = newIdentity()
    // One delivery, out of order: S3 does not promise order, the sequencer does.
    const batch = [s3Record(id, '/k', '0A', 'ObjectRemoved:DeleteMarkerCreated'), s3Record(id, '/k', '09'), s3Record(id, '/other', '01')].map(
      (r) => changeOfS3Record(r)!,
    )
    await writer.append(batch)
    expect((await log(id)).map((e) => [e.path, e.op, e.versionId])).toEqual([
      ['/k', 'put', 'v09'],
      ['/k', 'delete', 'v0A'],
      ['/other', 'put', 'v01'],
    ])
    // A late delivery of an older event of /k: the log never goes back in time for a key.
    expect(await writer.append([changeOfS3Record(s3Record(id, '/k', '08'))!])).toEqual([{ skipped: 'superseded' }])
    expect(await log(id, 3)).toEqual([])
  })

  it('an append cut short after claiming its key is completed by the retry, not taken for a duplicate', async () => {
    const id = newIdentity()
    const change = changeOfS3Record(s3Record(id, '/half', '0C'))!
    // What a crash right after step 1 leaves: the key claimed at this sequencer, no entry, no marker.
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { identityId: { S: keyStatePartition(id, 'file', '/half') }, seq: { N: '0' } },
        UpdateExpression: 'SET sequencer = :s',
        ExpressionAttributeValues: { ':s': { S: change.sequencer } },
      }),
    )
    expect(await writer.append([change])).toEqual([{ appended: 1 }])
    expect(await writer.append([change])).toEqual([{ skipped: 'duplicate' }])
  })

  it('keys outside a user folder and non-change events are not logged', () => {
    expect(changeOfS3Record({ ...s3Record('nobody', '/x', '01'), s3: { object: { key: 'shared/x', sequencer: '01' } } })).toBeUndefined()
    expect(changeOfS3Record(s3Record(newIdentity(), '/x', '01', 'LifecycleExpiration:Delete'))).toBeUndefined()
  })

  it('reads DynamoDB Stream records of the key-value table: puts, updates and removes with their versions', async () => {
    const id = newIdentity()
    const keys = { identityId: { S: id }, key: { S: 'notes:1' } }
    const records = [
      {
        eventID: 'e1',
        eventName: 'INSERT',
        dynamodb: { Keys: keys, NewImage: { ...keys, version: { N: '5' } }, SequenceNumber: '100', ApproximateCreationDateTime: 1_800_000_000 },
      },
      { eventID: 'e2', eventName: 'REMOVE', dynamodb: { Keys: keys, OldImage: { ...keys, version: { N: '6' } }, SequenceNumber: '2000' } },
    ]
    await writer.append(records.map((r) => changeOfKvWrite(kvWriteOfStreamRecord(r)!)))
    await writer.append([changeOfKvWrite(kvWriteOfStreamRecord(records[0]!)!)])
    expect((await log(id)).map((e) => [e.key, e.op])).toEqual([
      ['notes:1', 'put'],
      ['notes:1', 'delete'],
    ])
  })

  it('eraseChangeLog removes every entry, the head and the bookkeeping; appending again starts from 1', async () => {
    const id = newIdentity()
    await writer.append([changeOfS3Record(s3Record(id, '/gone', '01'))!, changeOfS3Record(s3Record(id, '/gone', '02'))!])
    expect(await eraseChangeLog(ddb, table, id)).toBe(2)
    const all = await ddb.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'identityId = :id', ExpressionAttributeValues: { ':id': { S: id } } }),
    )
    expect(all.Items).toEqual([])
    // The per-key sequencer is gone too: an earlier sequencer is no longer "superseded".
    expect(await writer.append([changeOfS3Record(s3Record(id, '/gone', '01'))!])).toEqual([{ appended: 1 }])
  })
})
