/**
 * User websites end to end, against the running local cloud: handles claimed through the
 * claim API with real ID tokens, files published with the user's own S3 credentials through
 * the gateway, pages fetched from the local edge as a browser (Host = the site) and as Node
 * (x-forwarded-host) would.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, documentClient, type TestUser } from '../../../test/users.js'
import { available, claim, me, siteRequest, unique } from './site-client.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
// The smallest valid PNG: one transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')

let alice: TestUser
let bob: TestUser
let aliceHandle: string
let bobHandle: string

const put = (user: TestUser, path: string, Body: string | Buffer, ContentType?: string) =>
  user.s3.send(new PutObjectCommand({ Bucket, Key: `${user.identityId}/${path}`, Body, ContentType }))

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([createUser(cloud, 'alice'), createUser(cloud, 'bob')])
  aliceHandle = unique('alice')
  bobHandle = unique('bob')
  expect((await claim(cloud, alice.idToken, aliceHandle)).status).toBe(200)
  expect((await claim(cloud, bob.idToken, bobHandle)).status).toBe(200)
  await Promise.all([
    put(alice, 'public/index.html', '<h1>Alice</h1>', 'text/html'),
    put(alice, 'public/pixel.png', PNG), // no type given: the edge derives it from the name
    put(alice, 'public/docs/index.html', 'Alice docs', 'text/html'),
    put(alice, 'secret.txt', 'ALICE-PRIVATE'),
    put(alice, 'notes/public/diary.txt', 'ALICE-DIARY'),
    put(bob, 'public/index.html', '<h1>Bob</h1>', 'text/html'),
    put(bob, 'public/404.html', 'Bob has no such page', 'text/html'),
  ])
})

describe('claiming a handle', () => {
  it('answers with the handle and the identityId the identity pool derives', async () => {
    const user = await createUser(cloud, 'claimer')
    const handle = unique('claimer')
    expect(await available(cloud, handle)).toEqual({ handle, available: true })
    const res = await claim(cloud, user.idToken, handle)
    expect(res).toMatchObject({ status: 200, json: { handle, identityId: user.identityId } })
    expect(await me(cloud, user.idToken)).toBe(handle)
    expect(await available(cloud, handle)).toMatchObject({ handle, available: false, reason: expect.stringMatching(/taken/) })
    // Claiming what one already holds is fine.
    expect((await claim(cloud, user.idToken, handle)).status).toBe(200)
  })

  it('a handle cannot be claimed twice', async () => {
    const res = await claim(cloud, bob.idToken, aliceHandle)
    expect(res).toMatchObject({ status: 409, json: { code: 'HandleTaken' } })
    expect(typeof res.json.message).toBe('string')
    expect(await me(cloud, bob.idToken)).toBe(bobHandle)
    expect((await siteRequest(cloud, { handle: aliceHandle, path: '/' })).text).toBe('<h1>Alice</h1>')
  })

  it('renaming releases the old handle, and the old site is gone', async () => {
    const carol = await createUser(cloud, 'carol')
    const [first, second] = [unique('carol'), unique('carol2')]
    await put(carol, 'public/index.html', 'Carol', 'text/html')
    expect((await claim(cloud, carol.idToken, first)).status).toBe(200)
    expect((await siteRequest(cloud, { handle: first, path: '/' })).text).toBe('Carol')
    expect((await claim(cloud, carol.idToken, second)).status).toBe(200)
    expect(await me(cloud, carol.idToken)).toBe(second)
    expect(await available(cloud, first)).toEqual({ handle: first, available: true })
    expect((await siteRequest(cloud, { handle: first, path: '/' })).status).toBe(404)
    expect((await siteRequest(cloud, { handle: second, path: '/' })).text).toBe('Carol')
    // …and someone else may now take it.
    const dave = await createUser(cloud, 'dave')
    expect((await claim(cloud, dave.idToken, first)).status).toBe(200)
  })

  it('refuses invalid handles, missing or forged tokens, and bad bodies with the documented codes', async () => {
    expect(await claim(cloud, alice.idToken, 'www')).toMatchObject({ status: 400, json: { code: 'InvalidHandle' } })
    expect(await claim(cloud, alice.idToken, 'Not-Lowercase')).toMatchObject({ status: 400, json: { code: 'InvalidHandle' } })
    expect(await claim(cloud, alice.idToken, 42)).toMatchObject({ status: 400, json: { code: 'InvalidHandle' } })
    expect(await claim(cloud, undefined, unique('x'))).toMatchObject({ status: 401, json: { code: 'NotAuthorized' } })
    const [header, payload] = alice.idToken.split('.')
    expect(await claim(cloud, `${header}.${payload}.forged`, unique('x'))).toMatchObject({ status: 401, json: { code: 'NotAuthorized' } })
    expect(await claim(cloud, alice.idToken, undefined, { body: 'not json' })).toMatchObject({ status: 400 })
    const meRes = await fetch(`${cloud.config.handlesApi}/me`)
    expect(meRes.status).toBe(401)
    expect(await available(cloud, 'www')).toMatchObject({ available: false, reason: expect.stringMatching(/reserved/) })
    expect(await me(cloud, alice.idToken)).toBe(aliceHandle)
  })

  it('answers CORS for the app origin only', async () => {
    const ok = await claim(cloud, alice.idToken, aliceHandle, { origin: cloud.urls.app })
    expect(ok.headers.get('access-control-allow-origin')).toBe(cloud.urls.app)
    const other = await claim(cloud, alice.idToken, aliceHandle, { origin: `http://${aliceHandle}.${cloud.config.sitesDomain}` })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const pre = await fetch(`${cloud.config.handlesApi}/claim`, {
      method: 'OPTIONS',
      headers: { origin: cloud.urls.app, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/)
  })
})

describe('the local edge', () => {
  it('serves the published index.html and image with the right types, by Host and by x-forwarded-host', async () => {
    for (const via of ['host', 'forwarded'] as const) {
      const page = await siteRequest(cloud, { handle: aliceHandle, path: '/', via })
      expect([page.status, page.text]).toEqual([200, '<h1>Alice</h1>'])
      expect(page.headers).toMatchObject({ 'content-type': 'text/html', 'x-content-type-options': 'nosniff', 'access-control-allow-origin': '*' })
      expect(page.headers['cache-control']).toMatch(/max-age/)
      const image = await siteRequest(cloud, { handle: aliceHandle, path: '/pixel.png', via })
      expect(image.status).toBe(200)
      expect(image.headers['content-type']).toBe('image/png')
      expect(image.body.equals(PNG)).toBe(true)
    }
    const upper = await siteRequest(cloud, { host: `${aliceHandle.toUpperCase()}.LOCALHOST:${new URL(cloud.urls.sites).port}`, path: '/' })
    expect(upper.text).toBe('<h1>Alice</h1>')
  })

  it('answers HEAD, Range and If-None-Match like a static file server', async () => {
    const head = await siteRequest(cloud, { handle: aliceHandle, path: '/pixel.png', method: 'HEAD' })
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, String(PNG.length)])
    const part = await siteRequest(cloud, { handle: aliceHandle, path: '/pixel.png', headers: { range: 'bytes=1-3' } })
    expect([part.status, part.headers['content-range'], part.body.toString('latin1')]).toEqual([206, `bytes 1-3/${PNG.length}`, 'PNG'])
    const tail = await siteRequest(cloud, { handle: aliceHandle, path: '/pixel.png', headers: { range: 'bytes=-4' } })
    expect(tail.body.equals(PNG.subarray(-4))).toBe(true)
    const beyond = await siteRequest(cloud, { handle: aliceHandle, path: '/pixel.png', headers: { range: `bytes=${PNG.length}-` } })
    expect(beyond.status).toBe(416)
    const etag = head.headers.etag as string
    expect(etag).toMatch(/^"/)
    const again = await siteRequest(cloud, { handle: aliceHandle, path: '/pixel.png', headers: { 'if-none-match': etag } })
    expect([again.status, again.body.length, again.headers.etag]).toEqual([304, 0, etag])
  })

  it("redirects a folder to its slash, serves the site's 404.html, else a plain 404 — never S3's XML", async () => {
    const folder = await siteRequest(cloud, { handle: aliceHandle, path: '/docs?x=1' })
    expect([folder.status, folder.headers.location]).toEqual([301, '/docs/?x=1'])
    expect((await siteRequest(cloud, { handle: aliceHandle, path: '/docs/' })).text).toBe('Alice docs')
    const bobMissing = await siteRequest(cloud, { handle: bobHandle, path: '/nope' })
    expect([bobMissing.status, bobMissing.text]).toEqual([404, 'Bob has no such page'])
    const aliceMissing = await siteRequest(cloud, { handle: aliceHandle, path: '/nope.html' })
    expect(aliceMissing.status).toBe(404)
    expect(aliceMissing.text).toMatch(/Not found/)
    expect(aliceMissing.text).not.toMatch(/<Error>|NoSuchKey|ListBucketResult/)
    for (const host of [`nobody-${Date.now()}.${cloud.config.sitesDomain}`, cloud.config.sitesDomain, `a.${aliceHandle}.${cloud.config.sitesDomain}`]) {
      const r = await siteRequest(cloud, { host, path: '/' })
      expect(r.status).toBe(404)
      expect(r.text).not.toMatch(/<Error>|ListBucketResult/)
    }
  })

  it("two users' pages never mix, even interleaved", async () => {
    const requests = Array.from({ length: 40 }, (_, i) => (i % 2 ? [bobHandle, '<h1>Bob</h1>'] : [aliceHandle, '<h1>Alice</h1>']))
    const answers = await Promise.all(requests.map(([handle]) => siteRequest(cloud, { handle, path: '/index.html' })))
    for (const [i, a] of answers.entries()) expect(a.text).toBe(requests[i]?.[1])
  })

  it('never serves a private file, by any path or host', async () => {
    const paths = [
      '/secret.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/public/../secret.txt',
      '/./../secret.txt',
      '//secret.txt',
      '/..\\secret.txt',
      '/..%5csecret.txt',
      '/secret.txt%00.html',
      '/notes/public/diary.txt',
      '/../notes/public/diary.txt',
      '/%2e%2e/notes/public/diary.txt',
      `/${encodeURIComponent(alice.identityId)}/secret.txt`,
      `/../../${encodeURIComponent(alice.identityId)}/secret.txt`,
      `/%2e%2e/%2e%2e/${alice.identityId}/secret.txt`,
    ]
    const hosts = [
      `${aliceHandle}.${cloud.config.sitesDomain}`,
      `${bobHandle}.${cloud.config.sitesDomain}`,
      alice.identityId,
      `${alice.identityId}.${cloud.config.sitesDomain}`,
      cloud.config.sitesDomain,
      new URL(cloud.urls.sites).host,
    ]
    for (const host of hosts)
      for (const path of paths)
        for (const via of ['host', 'forwarded'] as const) {
          const r = await siteRequest(cloud, { host, path, via })
          expect(r.text, `${via} ${host}${path}`).not.toMatch(/ALICE-PRIVATE|ALICE-DIARY/)
          expect(r.status, `${via} ${host}${path}`).toBeGreaterThanOrEqual(400)
        }
  })

  it('survives a visitor who goes away mid-file', async () => {
    await put(alice, 'public/big.bin', Buffer.alloc(8 * 1024 * 1024, 1))
    const origin = new URL(cloud.urls.sites)
    const { request } = await import('node:http')
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: origin.hostname, port: origin.port, path: '/big.bin', headers: { host: `${aliceHandle}.${cloud.config.sitesDomain}` } },
        (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        },
      )
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve() : reject(e)))
      req.end()
    })
    const after = await siteRequest(cloud, { handle: aliceHandle, path: '/big.bin', method: 'HEAD' })
    expect([after.status, after.headers['content-length']]).toEqual([200, String(8 * 1024 * 1024)])
  })

  it('x-forwarded-host is ignored when the request itself came to a site host', async () => {
    const r = await siteRequest(cloud, {
      handle: aliceHandle,
      path: '/',
      headers: { 'x-forwarded-host': `${bobHandle}.${cloud.config.sitesDomain}` },
    })
    expect(r.text).toBe('<h1>Alice</h1>')
  })
})

describe('the registry', () => {
  it('is neither readable nor writable with user credentials', async () => {
    const TableName = cloud.handlesTable
    expect(TableName).toBeTruthy()
    const attempts = [
      () => alice.ddb.send(new GetCommand({ TableName, Key: { pk: `handle#${aliceHandle}` } })),
      () => alice.ddb.send(new GetCommand({ TableName, Key: { pk: alice.identityId } })),
      () => alice.ddb.send(new PutCommand({ TableName, Item: { pk: `handle#${bobHandle}`, identityId: alice.identityId, since: 0 } })),
      () => alice.ddb.send(new PutCommand({ TableName, Item: { pk: alice.identityId, handle: bobHandle } })),
      () => alice.ddb.send(new PutCommand({ TableName, Item: { pk: `owner#${alice.identityId}`, handle: bobHandle } })),
      () =>
        alice.ddb.send(
          new UpdateCommand({
            TableName,
            Key: { pk: `handle#${bobHandle}` },
            UpdateExpression: 'SET identityId = :me',
            ExpressionAttributeValues: { ':me': alice.identityId },
          }),
        ),
      () => alice.ddb.send(new DeleteCommand({ TableName, Key: { pk: `handle#${bobHandle}` } })),
      () => alice.ddb.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': alice.identityId } })),
      () =>
        alice.ddb.send(new BatchWriteCommand({ RequestItems: { [TableName as string]: [{ PutRequest: { Item: { pk: alice.identityId, handle: 'x' } } }] } })),
    ]
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ name: 'AccessDeniedException' })
    // The registry still says what the claims said.
    const admin = documentClient(cloud, cloud.admin)
    const item = await admin.send(new GetCommand({ TableName, Key: { pk: `handle#${bobHandle}` } }))
    expect(item.Item?.identityId).toBe(bob.identityId)
    expect((await siteRequest(cloud, { handle: bobHandle, path: '/' })).text).toBe('<h1>Bob</h1>')
  })
})
