/**
 * Two writer runs at once (two Lambda invocations: separate writer instances, so nothing in
 * process orders them), fed one key's events reversed and interleaved, with repeats, against
 * the local cloud's change-log table. Per-key order and the totals of current files must hold
 * whatever the delivery order.
 */
import { randomUUID } from 'node:crypto'
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { type ChangeInput, ChangeLogWriter, changeOfS3Record, type S3EventRecordLike } from '../src/index.js'

const cloud = inject('cloud')
const table = cloud.config.changes?.table as string
const client = () => new DynamoDBClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.dynamodb, credentials: cloud.admin })
const ddbs = [client(), client()]
afterAll(() => {
  for (const ddb of ddbs) ddb.destroy()
})
const [runA, runB] = ddbs.map((ddb) => new ChangeLogWriter({ ddb, table })) as [ChangeLogWriter, ChangeLogWriter]
const newIdentity = () => `us-east-1:${randomUUID()}`

function s3Change(identityId: string, path: string, seq: number, size: number, op: 'put' | 'delete' = 'put'): ChangeInput {
  const sequencer = seq.toString(16).toUpperCase().padStart(6, '0')
  const record: S3EventRecordLike = {
    eventName: op === 'put' ? 'ObjectCreated:Put' : 'ObjectRemoved:DeleteMarkerCreated',
    eventTime: '2026-12-01T12:00:00.000Z',
    s3: { object: { key: `${identityId}${path}`, size: op === 'put' ? size : undefined, eTag: 'e', versionId: `v${sequencer}`, sequencer } },
  }
  return changeOfS3Record(record) as ChangeInput
}

async function log(identityId: string) {
  const out = await (ddbs[0] as DynamoDBClient).send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'identityId = :id AND seq > :zero',
      ExpressionAttributeValues: { ':id': { S: identityId }, ':zero': { N: '0' } },
      ConsistentRead: true,
    }),
  )
  return (out.Items ?? []).map((i) => ({ seq: Number(i.seq?.N), path: i.path?.S as string, versionId: i.versionId?.S as string, op: i.op?.S }))
}

async function headItem(identityId: string) {
  const out = await (ddbs[0] as DynamoDBClient).send(
    new GetItemCommand({ TableName: table, Key: { identityId: { S: identityId }, seq: { N: '0' } }, ConsistentRead: true }),
  )
  return { head: Number(out.Item?.head?.N), bytes: out.Item?.bytes?.N, files: out.Item?.files?.N, pending: out.Item?.pending }
}

/** Each run delivers its events one per invocation, all at once (S3 sends one record per invocation). */
const deliver = (run: ChangeLogWriter, changes: ChangeInput[]) => Promise.all(changes.map((c) => run.append([c])))

describe('two writer runs at once', () => {
  it("keep each key's log in sequencer order, whatever the delivery order, and its newest event always lands", async () => {
    const id = newIdentity()
    const paths = ['/k', '/l', '/m']
    // 30 commits per key; sizes vary so the totals show which version is current.
    const events = paths.flatMap((path, p) => Array.from({ length: 30 }, (_, i) => s3Change(id, path, i + 1, 10 * (i + 1) + p)))
    const reversed = [...events].reverse()
    // Interleaved: run A the even commits, run B the odd, each newest first; B repeats some of A's.
    const a = reversed.filter((_, i) => i % 2 === 0)
    const b = [...reversed.filter((_, i) => i % 2 === 1), ...a.slice(0, 10)]
    await Promise.all([deliver(runA, a), deliver(runB, b)])

    const entries = await log(id)
    const { head, bytes, files, pending } = await headItem(id)
    expect(pending).toBeUndefined()
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    for (const path of paths) {
      const versions = entries.filter((e) => e.path === path).map((e) => e.versionId)
      expect(versions).toEqual([...versions].sort())
      expect(new Set(versions).size).toBe(versions.length)
      // The newest commit is never superseded: the log ends in every key's current state.
      expect(versions.at(-1)).toBe(`v${(30).toString(16).toUpperCase().padStart(6, '0')}`)
    }
    expect({ bytes: Number(bytes), files: Number(files) }).toEqual({ bytes: 300 + 301 + 302, files: 3 })
  })

  it('a run held between deciding and numbering loses to a newer event of the same key, and its older event is not logged after it', async () => {
    const id = newIdentity()
    // Run C's requests pass through a gate: its update of the user's head item waits until run
    // B has appended (what a slow network or a paused Lambda does), with no timer involved.
    let reached: () => void = () => {}
    const atGate = new Promise<void>((r) => {
      reached = r
    })
    let open: () => void = () => {}
    const gate = new Promise<void>((r) => {
      open = r
    })
    const held = client()
    held.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: { identityId?: { S?: string }; seq?: { N?: string } } }
        if (context.commandName === 'UpdateItemCommand' && input.Key?.identityId?.S === id && input.Key.seq?.N === '0') {
          reached()
          await gate
        }
        return next(args)
      },
      { step: 'initialize', name: 'gate' },
    )
    const runC = new ChangeLogWriter({ ddb: held, table })
    const older = runC.append([s3Change(id, '/k', 1, 10)])
    await atGate
    expect(await runB.append([s3Change(id, '/k', 2, 20)])).toEqual([{ appended: 1 }])
    open()
    expect(await older).toEqual([{ skipped: 'superseded' }])
    held.destroy()
    expect((await log(id)).map((e) => e.versionId)).toEqual(['v000002'])
    expect(await headItem(id)).toMatchObject({ head: 1, bytes: '20', files: '1' })
  })

  it('a delete delivered before the put it follows still leaves the file deleted, and the totals right', async () => {
    const id = newIdentity()
    await runA.append([s3Change(id, '/keep', 1, 7)])
    const put = s3Change(id, '/gone', 2, 100)
    const overwrite = s3Change(id, '/gone', 3, 40)
    const del = s3Change(id, '/gone', 4, 0, 'delete')
    // The delete first, then the two older puts from the other run: both superseded.
    expect(await runB.append([del])).toEqual([{ appended: 2 }])
    expect(await Promise.all([runA.append([put]), runB.append([overwrite])])).toEqual([[{ skipped: 'superseded' }], [{ skipped: 'superseded' }]])
    expect((await log(id)).map((e) => [e.path, e.op])).toEqual([
      ['/keep', 'put'],
      ['/gone', 'delete'],
    ])
    expect(await headItem(id)).toMatchObject({ head: 2, bytes: '7', files: '1' })
  })

  it('an append left half done by a crashed run is completed by the next run, before it decides anything', async () => {
    const id = newIdentity()
    await runA.append([s3Change(id, '/a', 1, 5)])
    // What a crash after step 4 leaves: the head moved, the entry and key head only in `pending`.
    const entry = {
      identityId: { S: id },
      seq: { N: '2' },
      eventId: { S: 's3:crashed' },
      kind: { S: 'file' },
      op: { S: 'put' },
      path: { S: '/a' },
      versionId: { S: 'v000002' },
      size: { N: '9' },
      time: { N: '1' },
      expiresAt: { N: '4102444800' },
    }
    const keyHead = {
      identityId: { S: `#key#${id}#file#/a` },
      seq: { N: '0' },
      sequencer: { S: s3Change(id, '/a', 2, 9).sequencer },
      at: { N: '2' },
      eventId: { S: 's3:crashed' },
      exists: { BOOL: true },
      size: { N: '9' },
    }
    await (ddbs[0] as DynamoDBClient).send(
      new PutItemCommand({
        TableName: table,
        Item: {
          identityId: { S: id },
          seq: { N: '0' },
          head: { N: '2' },
          bytes: { N: '9' },
          files: { N: '1' },
          pending: { M: { id: { S: 'crashed' }, entries: { L: [{ M: entry }] }, keys: { L: [{ M: keyHead }] } } },
        },
      }),
    )
    // A late delivery of an older event of /a must be judged against the crashed run's key head.
    expect(await runB.append([s3Change(id, '/a', 1, 5), s3Change(id, '/b', 3, 1)])).toEqual([{ skipped: 'superseded' }, { appended: 3 }])
    expect((await log(id)).map((e) => [e.seq, e.path, e.versionId])).toEqual([
      [1, '/a', 'v000001'],
      [2, '/a', 'v000002'],
      [3, '/b', 'v000003'],
    ])
    expect(await headItem(id)).toMatchObject({ head: 3, bytes: '10', files: '2', pending: undefined })
  })
})

describe('totals of current files', () => {
  it('follow puts, overwrites and deletes; folder markers are not files; a head from before the totals keeps none', async () => {
    const id = newIdentity()
    await runA.append([s3Change(id, '/a', 1, 10), s3Change(id, '/b', 2, 5), s3Change(id, '/dir/', 3, 0)])
    expect(await headItem(id)).toMatchObject({ bytes: '15', files: '2' })
    await runA.append([s3Change(id, '/a', 4, 3)])
    expect(await headItem(id)).toMatchObject({ bytes: '8', files: '2' })
    await runA.append([s3Change(id, '/b', 5, 0, 'delete'), s3Change(id, '/b', 6, 0, 'delete'), s3Change(id, '/dir/', 7, 0, 'delete')])
    expect(await headItem(id)).toMatchObject({ bytes: '3', files: '1' })
    await runA.append([s3Change(id, '/b', 8, 2)])
    expect(await headItem(id)).toMatchObject({ bytes: '5', files: '2' })

    // A log the earlier writer started (a head with no totals) cannot know its totals.
    const old = newIdentity()
    await (ddbs[0] as DynamoDBClient).send(new PutItemCommand({ TableName: table, Item: { identityId: { S: old }, seq: { N: '0' }, head: { N: '4' } } }))
    expect(await runA.append([s3Change(old, '/x', 1, 10)])).toEqual([{ appended: 5 }])
    expect(await headItem(old)).toMatchObject({ head: 5, bytes: undefined, files: undefined })
  })
})
