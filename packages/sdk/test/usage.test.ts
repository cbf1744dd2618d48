/**
 * `fs.usage()` from the totals the change-feed writer keeps (issue 13: storage used without
 * listing the whole tree), against the running local cloud: right after this device's own
 * writes of every kind, equal to a full listing's sum; the listing when a log has no totals;
 * the totals readable by their owner alone.
 */
import { randomBytes } from 'node:crypto'
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, inject, it } from 'vitest'
import { documentClient } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import type { Whimsy } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'

const cloud = inject('cloud')
const TableName = cloud.config.changes?.table as string
const admin = documentClient(cloud, cloud.admin)
const MB = 1024 * 1024

async function listed(w: Whimsy) {
  let bytes = 0
  let files = 0
  for await (const entry of w.fs.list('/', { recursive: true })) {
    bytes += entry.size
    files++
  }
  return { bytes, files }
}

const headOf = async (identityId: string) => (await admin.send(new GetCommand({ TableName, Key: { identityId, seq: 0 }, ConsistentRead: true }))).Item

describe('fs.usage from the change feed’s totals', () => {
  it('follows puts, overwrites, deletes, copy, move, a folder removal and a multipart upload: equal to a listing, at once', { timeout: 60_000 }, async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'usage')
    const identityId = (await sessionOf(w.auth).credentials()).identityId
    await w.fs.write('/a.txt', 'hello')
    await w.fs.write('/docs/b.txt', 'bb')
    await w.fs.write('/a.txt', 'hi!')
    await w.fs.mkdir('/empty')
    expect(await w.fs.usage()).toEqual({ bytes: 5, files: 2 })
    await w.fs.copy('/docs/b.txt', '/docs/c.txt')
    await w.fs.move('/docs/c.txt', '/moved/c.txt')
    await Promise.all(['/old/1.txt', '/old/2.txt', '/old/deep/3.txt'].map((p) => w.fs.write(p, '1234')))
    expect(await w.fs.usage()).toEqual({ bytes: 19, files: 6 })
    await w.fs.remove('/old', { recursive: true })
    await w.fs.remove('/a.txt')
    await w.fs.upload('/big.bin', new File([randomBytes(11 * MB)], 'big.bin'), { partSize: 5 * MB })
    const usage = await w.fs.usage()
    expect(usage).toEqual({ bytes: 4 + 11 * MB, files: 3 })
    expect(usage).toEqual(await listed(w))
    expect(await headOf(identityId)).toMatchObject({ bytes: usage.bytes, files: usage.files })

    // One request to the totals, no listing: a total the listing could not give is what comes back.
    await admin.send(new UpdateCommand({ TableName, Key: { identityId, seq: 0 }, UpdateExpression: 'ADD bytes :n', ExpressionAttributeValues: { ':n': 1000 } }))
    expect(await w.fs.usage()).toEqual({ bytes: usage.bytes + 1000, files: 3 })
  })

  it('counts by listing when the log keeps no totals (a log begun before the writer kept them)', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'usage-old')
    const identityId = (await sessionOf(w.auth).credentials()).identityId
    await w.fs.write('/x.txt', 'xyz')
    await w.fs.write('/y.txt', 'y')
    expect(await w.fs.usage()).toEqual({ bytes: 4, files: 2 })
    const head = await headOf(identityId)
    await admin.send(new PutCommand({ TableName, Item: { identityId, seq: 0, head: head?.head } }))
    await w.fs.write('/z.txt', 'zz')
    expect(await w.fs.usage()).toEqual({ bytes: 6, files: 3 })
    expect((await headOf(identityId))?.bytes).toBeUndefined()
  })

  it('the totals are readable by their owner only: not by another user, not anonymously', async () => {
    const [{ whimsy: owner }, { whimsy: other }] = await Promise.all([signedInWhimsy(cloud, 'usage-own'), signedInWhimsy(cloud, 'usage-other')])
    await owner.fs.write('/secret-size.bin', 'abcdef')
    await owner.fs.usage()
    const identityId = (await sessionOf(owner.auth).credentials()).identityId
    const Key = { identityId, seq: 0 }
    const own = documentClient(cloud, await sessionOf(owner.auth).credentials())
    expect((await own.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item).toMatchObject({ bytes: 6, files: 1 })
    const theirs = documentClient(cloud, await sessionOf(other.auth).credentials())
    await expect(theirs.send(new GetCommand({ TableName, Key }))).rejects.toMatchObject({ name: 'AccessDeniedException' })
    const anonymous = documentClient(cloud, { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' })
    await expect(anonymous.send(new GetCommand({ TableName, Key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } })
  })
})
