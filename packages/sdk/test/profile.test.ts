/**
 * `whimsy.profile` end to end (issue 6): written to the owner's public folder through the
 * gateway, read anonymously through the local user-site edge by handle.
 */
import { randomUUID } from 'node:crypto'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { s3Client } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import { createWhimsy, memoryStorage, type Profile, type Whimsy } from '../src/index.js'
import { fetchSite } from '../src/sites/site-urls.js'
import { signedInWhimsy } from './sdk-users.js'
import { codeOf, errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')

const handleName = () => `prof-${randomUUID().slice(0, 8)}`

const PROFILE: Profile = {
  displayName: 'Ada',
  bio: 'I make zines.\nAnd small games.',
  avatar: '/public/me.png',
  links: [{ title: 'Blog', url: 'https://ada.example/blog' }],
}

let owner: Whimsy
let handle: string
/** Nobody signed in: what any visitor's app has. */
let visitor: Whimsy

beforeAll(async () => {
  ;({ whimsy: owner } = await signedInWhimsy(cloud, 'profile'))
  handle = await owner.sites.claimHandle(handleName())
  visitor = createWhimsy(cloud.config, { storage: memoryStorage() })
})

describe('profiles', () => {
  it('is null before the user sets one, by handle and for the user', async () => {
    expect(await visitor.profile.get(handle)).toBeNull()
    expect(await owner.profile.get()).toBeNull()
  })

  it('is set by its owner and read by a signed-out caller through the sites domain, with CORS', async () => {
    const stored = await owner.profile.set({ ...PROFILE, displayName: '  Ada  ' })
    expect(stored).toEqual(PROFILE)
    expect(visitor.auth.user).toBeNull()
    expect(await visitor.profile.get(handle)).toEqual(PROFILE)
    expect(await visitor.profile.get(` ${handle.toUpperCase()} `)).toEqual(PROFILE)
    expect(await owner.profile.get()).toEqual(PROFILE)
    // What a browser on another origin gets: JSON, readable cross-origin, revalidated each time.
    const res = await fetchSite(cloud.config, handle, '/whimsy.space/profile.json', { headers: { origin: 'https://some-app.example' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toContain('no-cache')
    expect(await res.json()).toEqual(PROFILE)
  })

  it('replaces the whole profile on set', async () => {
    await owner.profile.set({ displayName: 'Ada L.' })
    expect(await visitor.profile.get(handle)).toEqual({ displayName: 'Ada L.' })
    await owner.profile.set(PROFILE)
  })

  it('refuses an invalid profile with InvalidInput naming the field, and keeps the old one', async () => {
    const before = await owner.profile.get()
    const unknown = await errorOf(owner.profile.set({ ...PROFILE, website: 'https://x.example' } as Profile))
    expect(unknown.code).toBe('InvalidInput')
    expect(unknown.message).toContain('profile.website is not a profile field')
    const long = await errorOf(owner.profile.set({ bio: 'x'.repeat(1001) }))
    expect(long.message).toContain('profile.bio is at most 1,000 characters')
    expect(await codeOf(owner.profile.set({ links: [{ title: 'x', url: 'javascript:alert(1)' }] }))).toBe('InvalidInput')
    expect(await codeOf(owner.profile.set({ avatar: '/private/me.png' }))).toBe('InvalidInput')
    expect(await owner.profile.get()).toEqual(before)
  })

  it('is null for an unclaimed handle, and refuses a handle that cannot exist', async () => {
    expect(await visitor.profile.get(handleName())).toBeNull()
    expect(await codeOf(visitor.profile.get('not a handle!'))).toBe('InvalidHandle')
  })

  it('reads a document that fails the checks (written around the SDK) as no profile', async () => {
    const { whimsy } = await signedInWhimsy(cloud, 'profile-raw')
    const own = await whimsy.sites.claimHandle(handleName())
    const credentials = await sessionOf(whimsy.auth).credentials()
    const s3 = s3Client(cloud, credentials)
    const write = (Body: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: cloud.config.bucket,
          Key: `${credentials.identityId}/public/whimsy.space/profile.json`,
          Body,
          ContentType: 'application/json',
        }),
      )
    await write(JSON.stringify({ displayName: 'Eve', avatar: 'javascript:alert(1)' }))
    expect(await visitor.profile.get(own)).toBeNull()
    expect(await whimsy.profile.get()).toBeNull()
    await write('{not json')
    expect(await visitor.profile.get(own)).toBeNull()
    // 2 MB of valid JSON: more than a profile can be, so not a profile (and not read whole).
    await write(`{"displayName":"Eve"${' '.repeat(2 * 1024 * 1024)}}`)
    expect(await visitor.profile.get(own)).toBeNull()
    await write(JSON.stringify({ displayName: 'Eve' }))
    expect(await visitor.profile.get(own)).toEqual({ displayName: 'Eve' })
    s3.destroy()
  })

  it("needs a signed-in user to set or read one's own", async () => {
    expect(await codeOf(visitor.profile.set({ displayName: 'Nobody' }))).toBe('NotSignedIn')
    expect(await codeOf(visitor.profile.get())).toBe('NotSignedIn')
  })

  it('reads through the network error path as Network when the sites edge is unreachable', async () => {
    const config = { ...cloud.config, endpoints: { ...cloud.config.endpoints, sites: 'http://127.0.0.1:9' } }
    const offline = createWhimsy(config, { storage: memoryStorage() })
    expect(await codeOf(offline.profile.get(handle))).toBe('Network')
  })
})
