/**
 * Who may take a user's website down, and who may list it: the cells of the access-rule matrix
 * (ARCHITECTURE.md, "Trust boundaries") for the website that `sites.test.ts` leaves open,
 * against the running local cloud with real ID tokens. A handle is released only by its holder
 * (`DELETE /me` acts on the caller's own identity, whatever else is sent); the edge never lists
 * a folder to anyone.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, type TestUser } from '../../../test/users.js'
import { claim, me, siteRequest, unique } from './site-client.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket

let alice: TestUser
let bob: TestUser

const releaseOwn = (idToken?: string, body?: string) =>
  fetch(`${cloud.config.handlesApi}/me`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json', ...(idToken ? { authorization: `Bearer ${idToken}` } : {}) },
    body,
  })

const resolves = async (handle: string) => (await fetch(`${cloud.config.handlesApi}/resolve/${handle}`)).status

async function publishedSite(user: TestUser, prefix: string): Promise<string> {
  const handle = unique(prefix)
  expect((await claim(cloud, user.idToken, handle)).status).toBe(200)
  for (const [path, Body] of [
    ['public/index.html', `<h1>${prefix}</h1>`],
    ['public/docs/a.txt', 'DOC-A'],
    ['public/docs/b.txt', 'DOC-B'],
  ])
    await user.s3.send(new PutObjectCommand({ Bucket, Key: `${user.identityId}/${path}`, Body }))
  return handle
}

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([createUser(cloud, 'sa-alice'), createUser(cloud, 'sa-bob')])
})

describe('taking a website down', () => {
  it('its owner releases the handle: the site and its resolve answer are gone, the handle is free', async () => {
    const carol = await createUser(cloud, 'sa-carol')
    const handle = await publishedSite(carol, 'sa-carol')
    expect((await siteRequest(cloud, { handle, path: '/' })).status).toBe(200)
    const res = await releaseOwn(carol.idToken)
    expect([res.status, await res.json()]).toEqual([200, { released: handle }])
    expect(await me(cloud, carol.idToken)).toBeNull()
    expect((await siteRequest(cloud, { handle, path: '/' })).status).toBe(404)
    expect(await resolves(handle)).toBe(404)
  })

  it("another user's release acts on their own identity only, whatever handle the request names", async () => {
    const handle = await publishedSite(alice, 'sa-alice')
    const own = await publishedSite(bob, 'sa-bob')
    const res = await releaseOwn(bob.idToken, JSON.stringify({ handle, identityId: alice.identityId }))
    expect([res.status, await res.json()]).toEqual([200, { released: own }])
    expect(await me(cloud, alice.idToken)).toBe(handle)
    expect((await siteRequest(cloud, { handle, path: '/' })).text).toBe('<h1>sa-alice</h1>')
  })

  it('an anonymous caller, or one with a forged token, cannot release any handle', async () => {
    const handle = await me(cloud, alice.idToken)
    if (!handle) throw new Error('alice holds no handle')
    const [header, payload] = alice.idToken.split('.')
    for (const token of [undefined, `${header}.${payload}.forged`]) {
      const res = await releaseOwn(token, JSON.stringify({ handle }))
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([401, 'NotAuthorized'])
    }
    expect(await resolves(handle)).toBe(200)
    expect((await siteRequest(cloud, { handle, path: '/' })).text).toBe('<h1>sa-alice</h1>')
  })
})

describe('listing a website', () => {
  it('the edge lists no folder to anyone: a folder without an index is a plain 404 naming no file', async () => {
    const handle = await me(cloud, alice.idToken)
    if (!handle) throw new Error('alice holds no handle')
    expect((await siteRequest(cloud, { handle, path: '/docs/a.txt' })).text).toBe('DOC-A')
    for (const path of ['/docs/', '/docs', '/docs/?list-type=2', '/docs/?delimiter=/']) {
      const r = await siteRequest(cloud, { handle, path })
      if (r.status === 301 || r.status === 302) expect(r.headers.location, path).toMatch(/\/docs\/$/)
      else expect(r.status, path).toBe(404)
      expect(r.text, path).not.toMatch(/a\.txt|b\.txt|ListBucketResult|<Key>/)
    }
    // S3's listing query on the site's root is just the index page.
    expect((await siteRequest(cloud, { handle, path: '/?list-type=2&prefix=docs/' })).text).toBe('<h1>sa-alice</h1>')
  })
})
