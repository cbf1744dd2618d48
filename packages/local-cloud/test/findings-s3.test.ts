/**
 * Regression tests for issue 11's S3 findings, each tried as the finding's attacker or client
 * tried it, against the running local cloud. With s3rver behind the gateway every one of these
 * failed; each guards the engine and the gateway's parse-once rule now.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { type RawRequest, rawRequest } from '../../../test/raw-s3.js'
import { anonymousS3, createUser, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
const api = cloud.urls.api

let alice: TestUser
let bob: TestUser

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([createUser(cloud, 'f-alice'), createUser(cloud, 'f-bob')])
  await bob.s3.send(new PutObjectCommand({ Bucket, Key: `${bob.identityId}/private.txt`, Body: 'bob private' }))
})

const text = async (user: TestUser, Key: string) => (await user.s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString()
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
/** The bucket segment of finding 1: authorized as `<alice>/public/…`, walked by s3rver into Bob's folder. */
const trick = (from: string, to: string) => `/${Bucket}%2F${encodeURIComponent(from)}%2Fpublic%2F..%2F..%2F${encodeURIComponent(to)}`

describe('Regression (issue 11, finding 1): encoded slashes and dot segments in the bucket segment', () => {
  it('an unsigned GET cannot read another user’s private file', async () => {
    const res = await rawRequest(api, { method: 'GET', path: `${trick(alice.identityId, bob.identityId)}/private.txt` })
    expect(res.text).not.toContain('bob private')
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
  })

  it('a user’s own credentials cannot overwrite, delete, bulk-delete, copy from or upload into another user’s folder', async () => {
    const base = trick(alice.identityId, bob.identityId)
    const credentials = alice.credentials
    const attempts: RawRequest[] = [
      { method: 'PUT', path: `${base}/private.txt`, body: 'overwritten' },
      { method: 'DELETE', path: `${base}/private.txt` },
      { method: 'POST', path: `${base}/private.txt?uploads` },
      {
        method: 'POST',
        path: `${base}?delete`,
        body: '<Delete><Object><Key>private.txt</Key></Object></Delete>',
        headers: { 'content-md5': createHash('md5').update('<Delete><Object><Key>private.txt</Key></Object></Delete>').digest('base64') },
      },
      {
        method: 'PUT',
        path: `/${Bucket}/${encodeURIComponent(alice.identityId)}/stolen.txt`,
        headers: { 'x-amz-copy-source': `${base.slice(1)}/private.txt` },
      },
    ]
    for (const a of attempts) {
      const res = await rawRequest(api, { ...a, credentials })
      expect(res.status, `${a.method} ${a.path}: ${res.text}`).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    }
    expect(await text(bob, `${bob.identityId}/private.txt`)).toBe('bob private')
    await expect(alice.s3.send(new HeadObjectCommand({ Bucket, Key: `${alice.identityId}/stolen.txt` }))).rejects.toMatchObject({ name: 'NotFound' })
  })

  it('writes nothing outside the bucket, anywhere on disk', async () => {
    // Authorized as `<alice>/…` (the ARN starts with her folder); s3rver resolved the bucket
    // segment to the data directory itself, an existing folder, and wrote the key there.
    const res = await rawRequest(api, {
      method: 'PUT',
      path: `/${Bucket}%2F${encodeURIComponent(alice.identityId)}%2F..%2F..%2F../whimsy-escape.txt`,
      body: 'escaped',
      credentials: alice.credentials,
    })
    expect(res.status).toBeGreaterThanOrEqual(400)
    for (const dir of [cloud.dataDir, join(cloud.dataDir, 's3')])
      expect(
        readdirSync(dir).filter((n) => n.startsWith('whimsy-escape')),
        dir,
      ).toEqual([])
  })

  it('dot segments in a key are literal key bytes inside the caller’s own folder', async () => {
    const Key = `${alice.identityId}/a/../${bob.identityId}/private.txt`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'alice’s own odd key' }))
    expect(await text(alice, Key)).toBe('alice’s own odd key')
    expect(await text(bob, `${bob.identityId}/private.txt`)).toBe('bob private')
  })
})

describe('Regression (issue 11, finding 2): long names', () => {
  it('a 243-byte name is stored and every call still works afterwards', async () => {
    const Key = `${alice.identityId}/${'日本語のファイル名'.repeat(9)}.txt`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))
    expect(await text(alice, Key)).toBe('x')
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: `${alice.identityId}/after.txt`, Body: 'still up' }))
    expect(await text(alice, `${alice.identityId}/after.txt`)).toBe('still up')
  })

  it('a 1,024-byte key round-trips, ASCII or multi-byte; 1,025 bytes is KeyTooLongError', async () => {
    // S3 counts a key's UTF-8 bytes, identity prefix included: a name in a user's folder has
    // 1,024 − 47 bytes to spend (the engine's own tests take 1,000-byte segments with no prefix).
    const prefix = `${alice.identityId}/`
    const room = 1024 - Buffer.byteLength(prefix)
    const ascii = prefix + 'k'.repeat(room)
    const wide = prefix + '日'.repeat(Math.floor(room / 3)) + 'k'.repeat(room % 3)
    for (const Key of [ascii, wide]) {
      expect(Buffer.byteLength(Key)).toBe(1024)
      await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'max' }))
      expect(await text(alice, Key)).toBe('max')
    }
    const listed = await alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${prefix}日日日` }))
    expect(listed.Contents?.map((o) => o.Key)).toEqual([wide])
    await expect(alice.s3.send(new PutObjectCommand({ Bucket, Key: `${ascii}k`, Body: 'too long' }))).rejects.toMatchObject({ name: 'KeyTooLongError' })
  })
})

describe('Regression (issue 11, finding 6): reads racing overwrites', () => {
  it('every read of a 1 MiB file being overwritten returns one whole version', async () => {
    const Key = `${alice.identityId}/racing.bin`
    const versions = Array.from({ length: 6 }, () => randomBytes(1024 * 1024))
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: versions[0] }))
    const known = new Set(versions.map(sha))
    const writes = versions.slice(1).map((Body) => alice.s3.send(new PutObjectCommand({ Bucket, Key, Body })))
    const reads = Array.from({ length: 16 }, async () => {
      const res = await alice.s3.send(new GetObjectCommand({ Bucket, Key }))
      return (await res.Body?.transformToByteArray()) ?? new Uint8Array()
    })
    const [bodies] = await Promise.all([Promise.all(reads), Promise.all(writes)])
    for (const body of bodies) {
      expect(body.length).toBe(1024 * 1024)
      expect(known.has(sha(body))).toBe(true)
    }
  })
})

describe('Regression (issue 11, finding 9): conditional reads', () => {
  it('GET and HEAD answer 412 to a stale If-Match or an old If-Unmodified-Since, 304 to a matching If-None-Match', async () => {
    const Key = `${alice.identityId}/conditional-read.txt`
    const { ETag } = await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'now' }))
    await expect(alice.s3.send(new GetObjectCommand({ Bucket, Key, IfMatch: '"0123456789abcdef0123456789abcdef"' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    })
    await expect(alice.s3.send(new HeadObjectCommand({ Bucket, Key, IfMatch: '"0123456789abcdef0123456789abcdef"' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    })
    await expect(alice.s3.send(new GetObjectCommand({ Bucket, Key, IfUnmodifiedSince: new Date(Date.now() - 86_400_000) }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    })
    await expect(alice.s3.send(new GetObjectCommand({ Bucket, Key, IfNoneMatch: ETag }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } })
    expect((await alice.s3.send(new GetObjectCommand({ Bucket, Key, IfMatch: ETag }))).ETag).toBe(ETag)
  })
})

describe('Regression (issue 11, finding 11): S3 semantics', () => {
  const FIVE_MIB = 5 * 1024 * 1024

  async function upload(Key: string) {
    const { UploadId } = await alice.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))
    return UploadId as string
  }

  it('completing with a part never uploaded is InvalidPart, and the cloud keeps answering', async () => {
    const Key = `${alice.identityId}/never.bin`
    const UploadId = await upload(Key)
    await expect(
      alice.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"abc"' }] } })),
    ).rejects.toMatchObject({ name: 'InvalidPart' })
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: `${alice.identityId}/alive.txt`, Body: 'alive' }))
    expect(await text(alice, `${alice.identityId}/alive.txt`)).toBe('alive')
  })

  it('a resent part replaces the first; wrong ETags and too-small parts are refused; the ETag is S3’s', async () => {
    const Key = `${alice.identityId}/resent.bin`
    const UploadId = await upload(Key)
    const first = randomBytes(FIVE_MIB)
    const again = randomBytes(FIVE_MIB)
    const tail = randomBytes(1000)
    await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: first }))
    const p1 = await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: again }))
    const p2 = await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: tail }))
    await expect(
      alice.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: '"00000000000000000000000000000000"' },
              { PartNumber: 2, ETag: p2.ETag },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPart' })
    const done = await alice.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    )
    const md5 = (b: Buffer) => createHash('md5').update(b).digest()
    const expected = `"${createHash('md5')
      .update(Buffer.concat([md5(again), md5(tail)]))
      .digest('hex')}-2"`
    expect(done.ETag).toBe(expected)
    const body = Buffer.from((await (await alice.s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToByteArray()) ?? [])
    expect(body.length).toBe(FIVE_MIB + 1000)
    expect(sha(body)).toBe(sha(Buffer.concat([again, tail])))

    const small = `${alice.identityId}/small-parts.bin`
    const id2 = await upload(small)
    const a = await alice.s3.send(new UploadPartCommand({ Bucket, Key: small, UploadId: id2, PartNumber: 1, Body: 'tiny' }))
    const b = await alice.s3.send(new UploadPartCommand({ Bucket, Key: small, UploadId: id2, PartNumber: 2, Body: 'tail' }))
    await expect(
      alice.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: small,
          UploadId: id2,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: a.ETag },
              { PartNumber: 2, ETag: b.ETag },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' })
  })

  it('a tail range bytes=-7 returns the last seven bytes', async () => {
    const Key = `${alice.identityId}/range.txt`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'abcdefghijklmnopqrstuvwxyz' }))
    const res = await alice.s3.send(new GetObjectCommand({ Bucket, Key, Range: 'bytes=-7' }))
    expect(await res.Body?.transformToString()).toBe('tuvwxyz')
    expect(res.ContentRange).toBe('bytes 19-25/26')
  })

  it('non-ASCII metadata sent as UTF-8 verifies and round-trips', async () => {
    const Key = `${alice.identityId}/meta.txt`
    const value = 'café ☕ 日本'
    // On the wire as UTF-8 bytes, as curl or Python send them (Node writes header strings as Latin-1).
    const res = await rawRequest(api, {
      method: 'PUT',
      path: `/${Bucket}/${encodeURIComponent(alice.identityId)}/meta.txt`,
      headers: { 'x-amz-meta-note': value },
      body: 'm',
      credentials: alice.credentials,
      utf8Headers: true,
    })
    expect(res.status, res.text).toBe(200)
    const head = await rawRequest(api, { method: 'HEAD', path: `/${Bucket}/${encodeURIComponent(alice.identityId)}/meta.txt`, credentials: alice.credentials })
    expect(decodeHeader(head.headers['x-amz-meta-note'] as string | undefined)).toBe(value)
    expect(await text(alice, Key)).toBe('m')
  })

  it('presigned URLs that sign x-amz-* headers work, hoisted or not', async () => {
    const hoisted = await getSignedUrl(alice.s3, new PutObjectCommand({ Bucket, Key: `${alice.identityId}/presigned-a.txt`, Metadata: { tag: 'one' } }), {
      expiresIn: 300,
    })
    expect((await fetch(hoisted, { method: 'PUT', body: 'a' })).status).toBe(200)
    const kept = await getSignedUrl(alice.s3, new PutObjectCommand({ Bucket, Key: `${alice.identityId}/presigned-b.txt`, Metadata: { tag: 'two' } }), {
      expiresIn: 300,
      unhoistableHeaders: new Set(['x-amz-meta-tag']),
    })
    expect((await fetch(kept, { method: 'PUT', body: 'b', headers: { 'x-amz-meta-tag': 'two' } })).status).toBe(200)
    const head = await alice.s3.send(new HeadObjectCommand({ Bucket, Key: `${alice.identityId}/presigned-b.txt` }))
    expect(head.Metadata).toEqual({ tag: 'two' })
  })

  it('response-content-type and response-content-disposition on a signed GET are honoured', async () => {
    const Key = `${alice.identityId}/download.bin`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'payload', ContentType: 'application/octet-stream' }))
    const res = await alice.s3.send(
      new GetObjectCommand({ Bucket, Key, ResponseContentType: 'text/plain', ResponseContentDisposition: 'attachment; filename="x.txt"' }),
    )
    expect(res.ContentType).toBe('text/plain')
    expect(res.ContentDisposition).toBe('attachment; filename="x.txt"')
    const url = await getSignedUrl(alice.s3, new GetObjectCommand({ Bucket, Key, ResponseContentDisposition: 'attachment; filename="y.txt"' }), {
      expiresIn: 300,
    })
    const viaUrl = await fetch(url)
    expect(viaUrl.status).toBe(200)
    expect(viaUrl.headers.get('content-disposition')).toBe('attachment; filename="y.txt"')
  })

  it('100 Continue is not sent before the request is authorized', async () => {
    const path = `/${Bucket}/${encodeURIComponent(bob.identityId)}/planted.txt`
    const firstLine = await new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(api)
      const socket = connect(Number(port), hostname, () => {
        socket.write(`PUT ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n`)
      })
      socket.setTimeout(10_000, () => reject(new Error('no answer')))
      socket.once('data', (d) => {
        resolve(d.toString('latin1').split('\r\n')[0] ?? '')
        socket.destroy()
      })
      socket.on('error', reject)
    })
    expect(firstLine).toMatch(/^HTTP\/1\.1 403/)
  })

  it('delimiter listings count common prefixes in MaxKeys and KeyCount, keep UTF-8 order and trailing spaces', async () => {
    const p = `${alice.identityId}/order/`
    for (const name of ['1999', '1999#', 'a_ ', 'a_', 'dir/x', 'dir2/y/z', 'é'])
      await alice.s3.send(new PutObjectCommand({ Bucket, Key: p + name, Body: name }))
    const all = await alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: p }))
    expect(all.Contents?.map((o) => o.Key?.slice(p.length))).toEqual(['1999', '1999#', 'a_', 'a_ ', 'dir/x', 'dir2/y/z', 'é'])
    const page = await alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: p, Delimiter: '/', MaxKeys: 5 }))
    expect(page.Contents?.map((o) => o.Key?.slice(p.length))).toEqual(['1999', '1999#', 'a_', 'a_ '])
    expect(page.CommonPrefixes?.map((c) => c.Prefix?.slice(p.length))).toEqual(['dir/'])
    expect(page.KeyCount).toBe(5)
    expect(page.IsTruncated).toBe(true)
    const rest = await alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: p, Delimiter: '/', ContinuationToken: page.NextContinuationToken }))
    expect(rest.CommonPrefixes?.map((c) => c.Prefix?.slice(p.length))).toEqual(['dir2/'])
    expect(rest.Contents?.map((o) => o.Key?.slice(p.length))).toEqual(['é'])
    // encoding-type=url: keys come back percent-encoded, and the SDK decodes them.
    const raw = await rawRequest(api, {
      method: 'GET',
      path: `/${Bucket}?list-type=2&encoding-type=url&prefix=${encodeURIComponent(p)}`,
      credentials: alice.credentials,
    })
    expect(raw.text).toContain('<EncodingType>url</EncodingType>')
    expect(raw.text).toContain(`<Key>${encodeURIComponent(p).replace(/%2F/g, '/')}a_%20</Key>`)
  })

  it('DeleteObjects takes at most 1,000 keys', async () => {
    const Objects = Array.from({ length: 1001 }, (_, i) => ({ Key: `${alice.identityId}/bulk/${i}` }))
    await expect(alice.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } }))).rejects.toMatchObject({ name: 'MalformedXML' })
    const ok = await alice.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: Objects.slice(0, 1000) } }))
    expect(ok.Deleted).toHaveLength(1000)
  })

  it('error bodies carry a RequestId', async () => {
    const res = await rawRequest(api, { method: 'GET', path: `/${Bucket}/${encodeURIComponent(alice.identityId)}/no-such-key`, credentials: alice.credentials })
    expect(res.status).toBe(404)
    expect(res.text).toMatch(/<Code>NoSuchKey<\/Code>/)
    expect(res.text).toMatch(/<RequestId>[^<]+<\/RequestId>/)
  })

  it('checksums are stored and GetObjectAttributes answers XML', async () => {
    const Key = `${alice.identityId}/checksummed.txt`
    const put = await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'check me', ChecksumAlgorithm: 'CRC32C' }))
    expect(put.ChecksumCRC32C).toBeTruthy()
    const head = await alice.s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }))
    expect(head.ChecksumCRC32C).toBe(put.ChecksumCRC32C)
    const attrs = await alice.s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['ETag', 'ObjectSize', 'Checksum'] }))
    expect(attrs.ObjectSize).toBe(8)
    expect(attrs.Checksum?.ChecksumCRC32C).toBe(put.ChecksumCRC32C)
  })

  it('Content-Encoding: aws-chunked on a plain body is accepted and not stored', async () => {
    const res = await rawRequest(api, {
      method: 'PUT',
      path: `/${Bucket}/${encodeURIComponent(alice.identityId)}/plain-chunked.txt`,
      headers: { 'content-encoding': 'aws-chunked, gzip', 'x-amz-content-sha256': createHash('sha256').update('plain').digest('hex') },
      body: 'plain',
      credentials: alice.credentials,
    })
    expect(res.status, res.text).toBe(200)
    const head = await alice.s3.send(new HeadObjectCommand({ Bucket, Key: `${alice.identityId}/plain-chunked.txt` }))
    expect(head.ContentEncoding).toBe('gzip')
  })
})

describe('versions: users list and read their own history, and cannot destroy it', () => {
  it('an overwritten version stays readable by id; deleting a version is denied; others and strangers cannot list', async () => {
    const Key = `${alice.identityId}/history.txt`
    const v1 = await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'first' }))
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'second' }))
    await alice.s3.send(new DeleteObjectCommand({ Bucket, Key }))
    const listed = await alice.s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }))
    expect(listed.Versions?.map((v) => v.IsLatest)).toEqual([false, false])
    expect(listed.DeleteMarkers?.map((d) => d.IsLatest)).toEqual([true])
    const old = await alice.s3.send(new GetObjectCommand({ Bucket, Key, VersionId: v1.VersionId }))
    expect(await old.Body?.transformToString()).toBe('first')
    await expect(alice.s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId: v1.VersionId }))).rejects.toMatchObject({ name: 'AccessDenied' })
    await expect(bob.s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: `${alice.identityId}/` }))).rejects.toMatchObject({ name: 'AccessDenied' })
    await expect(bob.s3.send(new GetObjectCommand({ Bucket, Key, VersionId: v1.VersionId }))).rejects.toMatchObject({ name: 'AccessDenied' })
    await expect(anonymousS3(cloud).send(new ListObjectVersionsCommand({ Bucket, Prefix: `${alice.identityId}/` }))).rejects.toMatchObject({
      name: 'AccessDenied',
    })
    expect((await alice.s3.send(new GetObjectCommand({ Bucket, Key, VersionId: v1.VersionId }))).VersionId).toBe(v1.VersionId)
  })
})

/** An RFC 2047 `=?UTF-8?B?…?=` value, or raw UTF-8 bytes Node read as Latin-1. */
function decodeHeader(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/i.exec(raw)
  if (m) return Buffer.from(m[1] as string, 'base64').toString('utf8')
  return Buffer.from(raw, 'latin1').toString('utf8')
}
