/**
 * `whimsy.sites` and public addresses through the SDK (issue 7's SDK half), against the local
 * cloud's claim function and user-site edge.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, inject, it } from 'vitest'
import { createWhimsy, memoryStorage, WhimsyError } from '../src/index.js'
import { fetchSite } from '../src/sites/site-urls.js'
import { PASSWORD, signedInWhimsy } from './sdk-users.js'
import { codeOf } from './whimsy-errors.js'

const cloud = inject('cloud')
const handleName = () => `site-${randomUUID().slice(0, 8)}`

describe('handles and sites', () => {
  it('claims a handle; public files are then served on the site', async () => {
    const { whimsy, username } = await signedInWhimsy(cloud, 'siteowner')
    const handle = handleName()
    expect(await whimsy.sites.isAvailable(handle)).toEqual({ available: true })
    const changes: string[] = []
    whimsy.auth.onChange((user, change) => changes.push(`${change}:${user?.handle}`))
    expect(await whimsy.sites.claimHandle(` ${handle.toUpperCase()} `)).toBe(handle)
    expect(whimsy.sites.handle).toBe(handle)
    expect(changes).toEqual([`updated:${handle}`])
    expect(await whimsy.sites.isAvailable(handle)).toMatchObject({ available: false })

    await whimsy.fs.write('/public/index.html', '<h1>Welcome</h1>')
    expect(whimsy.fs.publicUrl('/public/index.html')).toBe(`http://${handle}.${cloud.config.sitesDomain}/index.html`)
    expect(whimsy.sites.url('/')).toBe(`http://${handle}.${cloud.config.sitesDomain}/`)
    const page = await fetchSite(cloud.config, handle, '/')
    expect(page.status).toBe(200)
    expect(await page.text()).toBe('<h1>Welcome</h1>')

    // A new session learns its handle at sign-in.
    const again = createWhimsy(cloud.config, { storage: memoryStorage() })
    const user = await again.auth.signIn({ username, password: PASSWORD })
    expect(user.handle).toBe(handle)
  })

  it('refuses invalid, reserved and taken handles with clear codes', async () => {
    const { whimsy } = await signedInWhimsy(cloud, 'claimer')
    expect(await codeOf(whimsy.sites.claimHandle('www'))).toBe('InvalidHandle')
    expect(await codeOf(whimsy.sites.claimHandle('-dash'))).toBe('InvalidHandle')
    expect(await codeOf(whimsy.sites.claimHandle('has space'))).toBe('InvalidHandle')
    expect((await whimsy.sites.isAvailable('admin')).available).toBe(false)
    const handle = handleName()
    await whimsy.sites.claimHandle(handle)
    const { whimsy: rival } = await signedInWhimsy(cloud, 'rival')
    expect(await codeOf(rival.sites.claimHandle(handle))).toBe('HandleTaken')
    expect(() => rival.sites.url('/')).toThrow(/Claim a handle first/)
    // Someone else's handle cannot smuggle in another host (review).
    expect(() => rival.sites.url('/', 'whimsy.space@evil.example#')).toThrow(WhimsyError)
  })

  it('deleting the account frees the handle', async () => {
    const { whimsy } = await signedInWhimsy(cloud, 'departing')
    const handle = handleName()
    await whimsy.sites.claimHandle(handle)
    await whimsy.fs.write('/public/index.html', 'soon gone')
    expect((await fetchSite(cloud.config, handle, '/')).status).toBe(200)
    await whimsy.auth.deleteAccount({ password: PASSWORD })
    expect(await whimsy.sites.isAvailable(handle)).toEqual({ available: true })
    // The site is gone with the account.
    expect((await fetchSite(cloud.config, handle, '/')).status).toBe(404)
  })
})
