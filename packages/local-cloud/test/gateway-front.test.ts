/**
 * The gateway's request path on the S3 engine (issue 11): bodies are checked against what was
 * signed while they stream and nothing is stored on a mismatch (finding 5); the signature is
 * rebuilt from exactly what the client signed (finding 8); JSON bodies are read only for a known
 * caller, capped, and must be objects.
 */
import { createHash, createHmac } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentialIdentity } from '@smithy/types'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
const api = new URL(cloud.urls.api)
let alice: TestUser

beforeAll(async () => {
  alice = await createUser(cloud, 'front')
})

interface Sent {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

function send(method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const out = httpRequest({ host: api.hostname, port: api.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
    })
    out.on('error', reject)
    out.end(body)
  })
}

/** Signs exactly the given headers, adding none of the signer's own (as aws4fetch and other small signers do). */
async function signed(
  credentials: AwsCredentialIdentity,
  service: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service,
    region: cloud.config.region,
    sha256: Hash.bind(null, 'sha256'),
    credentials,
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  })
  const request = await signer.sign(
    new HttpRequest({ method, protocol: 'http:', hostname: api.hostname, port: Number(api.port), path, headers: { host: api.host, ...headers }, body }),
  )
  return request.headers as Record<string, string>
}

/** Writes raw request bytes and returns the first line of the answer: what comes back before any body is sent. */
function firstLineFor(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(api.port), api.hostname, () => socket.write(head))
    socket.setTimeout(10_000, () => reject(new Error('no answer')))
    socket.once('data', (d) => {
      resolve(d.toString('latin1').split('\r\n')[0] ?? '')
      socket.destroy()
    })
    socket.on('error', reject)
  })
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex')
const exists = (Key: string) =>
  alice.s3.send(new HeadObjectCommand({ Bucket, Key })).then(
    () => true,
    () => false,
  )

describe('Regression (issue 11, finding 8): the signature is checked over what the client signed', () => {
  it('a DynamoDB request that does not sign x-amz-content-sha256 is accepted', async () => {
    const body = JSON.stringify({ TableName: cloud.config.table, Key: { identityId: { S: alice.identityId }, key: { S: 'none' } } })
    const headers = await signed(
      alice.credentials,
      'dynamodb',
      'POST',
      '/',
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body,
    )
    expect(Object.keys(headers)).not.toContain('x-amz-content-sha256')
    const res = await send('POST', '/', headers, body)
    expect(res.status, res.text).toBe(200)
  })

  it('the same request with a changed body is refused', async () => {
    const body = JSON.stringify({ TableName: cloud.config.table, Key: { identityId: { S: alice.identityId }, key: { S: 'none' } } })
    const headers = await signed(
      alice.credentials,
      'dynamodb',
      'POST',
      '/',
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body,
    )
    const res = await send('POST', '/', headers, body.replace('none', 'nonf'))
    expect(res.status).toBe(400)
    expect(res.text).toContain('InvalidSignatureException')
  })
})

describe('Regression (issue 11, finding 5): S3 bodies stream and are checked against what was signed', () => {
  it('a body that does not match its signed x-amz-content-sha256 is refused and not stored', async () => {
    const Key = `${alice.identityId}/sha-mismatch.txt`
    const path = `/${Bucket}/${encodeURIComponent(alice.identityId)}/sha-mismatch.txt`
    const headers = await signed(alice.credentials, 's3', 'PUT', path, { 'x-amz-content-sha256': sha256('the real body'), 'content-length': '13' })
    const res = await send('PUT', path, headers, 'a fake body!!')
    expect(res.status).toBe(400)
    expect(res.text).toContain('XAmzContentSHA256Mismatch')
    expect(await exists(Key)).toBe(false)
  })

  it('a signed aws-chunked body is verified chunk by chunk; a changed chunk stores nothing', async () => {
    const Key = `${alice.identityId}/chunked.txt`
    const path = `/${Bucket}/${encodeURIComponent(alice.identityId)}/chunked.txt`
    const data = Buffer.from('x'.repeat(9000))
    const headers = await signed(alice.credentials, 's3', 'PUT', path, {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
    })
    /** Frames `chunks` as the client that signed `signedHeaders` would: each chunk's signature chains from the last. */
    const frame = (signedHeaders: Record<string, string>, chunks: Buffer[]) => {
      const amzDate = signedHeaders['x-amz-date'] as string
      const scope = `${amzDate.slice(0, 8)}/${cloud.config.region}/s3/aws4_request`
      let k: Buffer = createHmac('sha256', `AWS4${alice.credentials.secretAccessKey}`).update(amzDate.slice(0, 8)).digest()
      for (const part of [cloud.config.region, 's3', 'aws4_request']) k = createHmac('sha256', k).update(part).digest()
      let previous = /Signature=([0-9a-f]{64})/.exec(signedHeaders.authorization ?? '')?.[1] as string
      const out: Buffer[] = []
      for (const chunk of [...chunks, Buffer.alloc(0)]) {
        const sig = createHmac('sha256', k)
          .update(['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha256(''), sha256(chunk)].join('\n'))
          .digest('hex')
        out.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sig}\r\n`), chunk, Buffer.from('\r\n'))
        previous = sig
      }
      return Buffer.concat(out)
    }
    const good = frame(headers, [data.subarray(0, 8192), data.subarray(8192)])
    const ok = await send('PUT', path, { ...headers, 'content-length': String(good.length) }, good)
    expect(ok.status, ok.text).toBe(200)
    const head = await alice.s3.send(new HeadObjectCommand({ Bucket, Key }))
    expect(head.ContentLength).toBe(9000)
    // Contents never carry the framing's encoding.
    expect(head.ContentEncoding).toBeUndefined()

    const Key2 = `${alice.identityId}/chunked-bad.txt`
    const path2 = path.replace('chunked.txt', 'chunked-bad.txt')
    const headers2 = await signed(alice.credentials, 's3', 'PUT', path2, {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
    })
    // Framed and signed for this request, then one byte of the second chunk changed on the way.
    const bad = frame(headers2, [data.subarray(0, 8192), data.subarray(8192)])
    bad[bad.length - 200] = 0x79
    const refused = await send('PUT', path2, { ...headers2, 'content-length': String(bad.length) }, bad)
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('SignatureDoesNotMatch')
    expect(await exists(Key2)).toBe(false)
  })

  it('a denied upload gets its AccessDenied, whether its body was sent at once or held for 100 Continue', async () => {
    const bob = await createUser(cloud, 'front-bob')
    for (const size of [1024 * 1024, 6 * 1024 * 1024]) {
      const put = alice.s3.send(new PutObjectCommand({ Bucket, Key: `${bob.identityId}/planted-${size}.bin`, Body: Buffer.alloc(size, 1) }))
      await expect(put).rejects.toMatchObject({ name: 'AccessDenied' })
    }
  })

  it('a key the SDK writes with a stream body (aws-chunked, trailing CRC32) round-trips', async () => {
    const { Readable } = await import('node:stream')
    const Key = `${alice.identityId}/sdk-stream.bin`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: Readable.from([Buffer.alloc(70_000, 3)]), ContentLength: 70_000 }))
    expect((await alice.s3.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength).toBe(70_000)
  })
})

describe('Regression (issue 11, finding 11): header values as the client signed them', () => {
  it('metadata the Node SDK sends (its Latin-1 bytes) verifies and round-trips', async () => {
    const Key = `${alice.identityId}/meta-latin1.txt`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x', Metadata: { name: 'café crème', plain: 'ascii' } }))
    const head = await alice.s3.send(new HeadObjectCommand({ Bucket, Key }))
    expect(head.Metadata).toEqual({ name: 'café crème', plain: 'ascii' })
  })
})

describe('Regression (issue 11, finding 9): ordinary clients', () => {
  it('x-amz-acl: bucket-owner-full-control is accepted on a put, a copy and a multipart upload; public-read is not', async () => {
    const { CopyObjectCommand, CreateMultipartUploadCommand, AbortMultipartUploadCommand } = await import('@aws-sdk/client-s3')
    const Key = `${alice.identityId}/acl/owner.txt`
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x', ACL: 'bucket-owner-full-control' }))
    await alice.s3.send(new CopyObjectCommand({ Bucket, Key: `${Key}.copy`, CopySource: `${Bucket}/${Key}`, ACL: 'bucket-owner-full-control' }))
    const { UploadId } = await alice.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: `${Key}.mp`, ACL: 'bucket-owner-full-control' }))
    await alice.s3.send(new AbortMultipartUploadCommand({ Bucket, Key: `${Key}.mp`, UploadId }))
    await expect(alice.s3.send(new CopyObjectCommand({ Bucket, Key: `${Key}.pub`, CopySource: `${Bucket}/${Key}`, ACL: 'public-read' }))).rejects.toMatchObject(
      {
        name: 'AccessControlListNotSupported',
      },
    )
  })
})

describe('Regression (issue 11, finding 11): listings V1 and V2', () => {
  it('V1 pages with marker and NextMarker (with a delimiter); V2 with start-after and fetch-owner', async () => {
    const { ListObjectsCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3')
    const p = `${alice.identityId}/v1/`
    for (const name of ['a', 'b/x', 'c', 'd/y', 'e']) await alice.s3.send(new PutObjectCommand({ Bucket, Key: p + name, Body: name }))
    const first = await alice.s3.send(new ListObjectsCommand({ Bucket, Prefix: p, Delimiter: '/', MaxKeys: 2 }))
    expect(first.Contents?.map((o) => o.Key?.slice(p.length))).toEqual(['a'])
    expect(first.CommonPrefixes?.map((c) => c.Prefix?.slice(p.length))).toEqual(['b/'])
    expect(first.IsTruncated).toBe(true)
    expect(first.NextMarker).toBe(`${p}b/`)
    const second = await alice.s3.send(new ListObjectsCommand({ Bucket, Prefix: p, Delimiter: '/', Marker: first.NextMarker }))
    expect(second.Contents?.map((o) => o.Key?.slice(p.length))).toEqual(['c', 'e'])
    expect(second.CommonPrefixes?.map((c) => c.Prefix?.slice(p.length))).toEqual(['d/'])
    expect(second.IsTruncated).toBe(false)
    const v2 = await alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: p, StartAfter: `${p}b/x`, FetchOwner: true }))
    expect(v2.Contents?.map((o) => o.Key?.slice(p.length))).toEqual(['c', 'd/y', 'e'])
    expect(v2.Contents?.[0]?.Owner?.ID).toBeTruthy()
    expect(v2.KeyCount).toBe(3)
  })

  it('a continuation token that was not ours is InvalidArgument', async () => {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3')
    await expect(alice.s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${alice.identityId}/`, ContinuationToken: 'not base64!' }))).rejects.toMatchObject({
      name: 'InvalidArgument',
    })
  })
})

describe('JSON bodies: read only for a known caller, capped, objects only', () => {
  it('an unknown access key is refused before its body is read (no 100 Continue)', async () => {
    const firstLine = await firstLineFor(
      `POST / HTTP/1.1\r\nHost: ${api.host}\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\nX-Amz-Date: 20260101T000000Z\r\n` +
        'Authorization: AWS4-HMAC-SHA256 Credential=ASIANOTAKEY/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
        `${'0'.repeat(64)}\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n`,
    )
    expect(firstLine).toMatch(/^HTTP\/1\.1 400/)
  })

  it('a DynamoDB body over 16 MB is refused without reading it', async () => {
    const headers = await signed(alice.credentials, 'dynamodb', 'POST', '/', {
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      'content-type': 'application/x-amz-json-1.0',
    })
    // Only the headers go out: the answer must come from the declared length alone.
    const head = Object.entries({ ...headers, 'content-length': String(17 * 1024 * 1024) })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    expect(await firstLineFor(`POST / HTTP/1.1\r\n${head}\r\n`)).toMatch(/^HTTP\/1\.1 413/)
  })

  it('a user-pool body past its cap, sent without a length, is refused with 413, not read to its end', async () => {
    const firstLine = await new Promise<string>((resolve, reject) => {
      let answered = false
      const socket = connect(Number(api.port), api.hostname, () => {
        socket.write(
          `POST / HTTP/1.1\r\nHost: ${api.host}\r\nX-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\nContent-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n`,
        )
        // 64 KiB chunks, far past the cap, until the answer comes.
        const chunk = `10000\r\n${' '.repeat(0x10000)}\r\n`
        let sent = 0
        const pump = () => {
          while (!answered && sent < 64 && socket.write(chunk)) sent++
          if (!answered && sent < 64) socket.once('drain', pump)
        }
        pump()
      })
      socket.setTimeout(10_000, () => reject(new Error('no answer')))
      socket.once('data', (d) => {
        answered = true
        resolve(d.toString('latin1').split('\r\n')[0] ?? '')
        socket.destroy()
      })
      // Writing after the server closed is expected once it has answered.
      socket.on('error', (e) => (answered ? undefined : reject(e)))
    })
    expect(firstLine).toMatch(/^HTTP\/1\.1 413/)
  })

  for (const [target, service, prefix] of [
    ['DynamoDB_20120810.GetItem', 'dynamodb', 'com.amazonaws.dynamodb.v20120810#'],
    ['AWSCognitoIdentityProviderService.SignUp', 'cognito-idp', ''],
    ['AWSCognitoIdentityService.GetId', 'cognito-identity', ''],
  ] as const) {
    it(`a JSON null, array or number to ${target} is SerializationException, not 500`, async () => {
      for (const body of ['null', '[]', '42', '"x"']) {
        const headers =
          service === 'dynamodb'
            ? await signed(alice.credentials, service, 'POST', '/', { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' }, body)
            : { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1', host: api.host }
        const res = await send('POST', '/', headers, body)
        expect(res.status, `${body}: ${res.text}`).toBe(400)
        expect(JSON.parse(res.text).__type).toBe(`${prefix}SerializationException`)
      }
    })
  }
})
