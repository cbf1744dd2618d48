/**
 * The gaps of the emulators that the gateway closes, each shown working through the SDK:
 * conditional writes (s3rver ignores them), aws-chunked stream bodies (s3rver stores the
 * framing) and listings past 1,000 keys (s3rver answers 500 on Node 20 without help).
 */
import { Readable } from 'node:stream'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
let user: TestUser

beforeAll(async () => {
  user = await createUser(cloud, 'gaps')
})

const settle = (ps: Promise<unknown>[]) => Promise.allSettled(ps)

describe('conditional writes', () => {
  it('of two concurrent If-Match puts with the same ETag, exactly one wins', async () => {
    const Key = `${user.identityId}/doc.json`
    const { ETag } = await user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'v1' }))
    const results = await settle(['v2-a', 'v2-b'].map((Body) => user.s3.send(new PutObjectCommand({ Bucket, Key, Body, IfMatch: ETag }))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(lost.reason).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })
    const winner = results.findIndex((r) => r.status === 'fulfilled')
    const body = await (await user.s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString()
    expect(body).toBe(['v2-a', 'v2-b'][winner])
  })

  it('of two concurrent create-only puts (If-None-Match: *), exactly one wins', async () => {
    const Key = `${user.identityId}/new.txt`
    const results = await settle(['a', 'b', 'c'].map((Body) => user.s3.send(new PutObjectCommand({ Bucket, Key, Body, IfNoneMatch: '*' }))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual([
      'PreconditionFailed',
      'PreconditionFailed',
    ])
  })

  it('If-Match on a missing object is NoSuchKey, and a stale ETag is PreconditionFailed', async () => {
    await expect(user.s3.send(new PutObjectCommand({ Bucket, Key: `${user.identityId}/missing`, Body: 'x', IfMatch: '"abc"' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    })
    const Key = `${user.identityId}/stale.txt`
    const first = await user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'one' }))
    await user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'two' }))
    await expect(user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'three', IfMatch: first.ETag }))).rejects.toMatchObject({
      name: 'PreconditionFailed',
    })
  })
})

describe('conditional deletes and copies', () => {
  it('deletes only the version named by If-Match', async () => {
    const Key = `${user.identityId}/versioned.txt`
    const first = await user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'one' }))
    await user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'two' }))
    const stale = await user.s3.send(new DeleteObjectCommand({ Bucket, Key, IfMatch: first.ETag })).catch((e: Error) => e)
    expect((stale as Error).name).toBe('PreconditionFailed')
    expect(await (await user.s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString()).toBe('two')
  })

  it('copies only the version named by CopySourceIfMatch, and keys with every special character', async () => {
    const source = `${user.identityId}/src/a+b?c#d%e: f.txt`
    const { ETag } = await user.s3.send(new PutObjectCommand({ Bucket, Key: source, Body: 'original' }))
    const copySource = `${Bucket}/${source.split('/').map(encodeURIComponent).join('/')}`
    await user.s3.send(new CopyObjectCommand({ Bucket, Key: `${user.identityId}/dst/copy.txt`, CopySource: copySource, CopySourceIfMatch: ETag }))
    expect(await (await user.s3.send(new GetObjectCommand({ Bucket, Key: `${user.identityId}/dst/copy.txt` }))).Body?.transformToString()).toBe('original')
    const stale = await user.s3
      .send(new CopyObjectCommand({ Bucket, Key: `${user.identityId}/dst/copy2.txt`, CopySource: copySource, CopySourceIfMatch: '"0000"' }))
      .catch((e: Error) => e)
    expect((stale as Error).name).toBe('PreconditionFailed')
  })

  it('DeleteObjects keeps leading and trailing spaces in keys', async () => {
    const keys = [`${user.identityId}/spaces/ lead.txt`, `${user.identityId}/spaces/trail.txt `]
    for (const Key of keys) await user.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))
    await user.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }))
    const left = await user.s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${user.identityId}/spaces/` }))
    expect(left.KeyCount).toBe(0)
  })
})

describe('stream bodies (aws-chunked)', () => {
  it('stores exactly the bytes sent, not the chunk framing', async () => {
    const bytes = Buffer.alloc(300_000)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 251
    const Key = `${user.identityId}/stream.bin`
    // A stream body makes the SDK send aws-chunked with a trailing CRC32 checksum.
    await user.s3.send(
      new PutObjectCommand({ Bucket, Key, Body: Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]), ContentLength: bytes.length }),
    )
    expect((await user.s3.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength).toBe(300_000)
    const back = Buffer.from((await (await user.s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToByteArray()) ?? [])
    expect(back.equals(bytes)).toBe(true)
  })

  it('refuses a body whose checksum does not match', async () => {
    const res = await user.s3.send(new PutObjectCommand({ Bucket, Key: `${user.identityId}/ok.txt`, Body: 'fine', ChecksumCRC32: 'AAAAAA==' })).catch((e) => e)
    expect(res).toMatchObject({ name: 'BadDigest' })
  })
})

describe('listings', () => {
  it('pages past 1,000 keys', async () => {
    const prefix = `${user.identityId}/many/`
    const keys = Array.from({ length: 1050 }, (_, i) => `${prefix}${String(i).padStart(4, '0')}.txt`)
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((Key) => user.s3.send(new PutObjectCommand({ Bucket, Key, Body: '' }))))
    }
    const seen: string[] = []
    let ContinuationToken: string | undefined
    let pages = 0
    do {
      const page = await user.s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }))
      seen.push(...(page.Contents ?? []).map((o) => o.Key as string))
      ContinuationToken = page.NextContinuationToken
      pages++
    } while (ContinuationToken)
    expect(pages).toBe(2)
    expect(seen).toEqual(keys)
  })
})
