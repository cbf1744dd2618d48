/**
 * `whimsy.auth` before its code has loaded: what it answers without loading, and a sign-in
 * chunk that cannot be downloaded (offline) must not surface as an unhandled rejection.
 */
import { describe, expect, it } from 'vitest'
import type { WhimsyConfig } from '../config.js'
import { memoryStorage } from '../storage.js'
import { type Auth, Auth as AuthClass } from './auth.js'
import { AUTH_METHODS, authFacade } from './facade.js'
import { sessionOf } from './session-access.js'

const config = { userPoolClientId: 'client1' } as WhimsyConfig
const offline = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'))

describe('auth before its code loads', () => {
  it('a signed-out device loads nothing: no user, ready is null, credentials are NotSignedIn', async () => {
    let loads = 0
    const auth = authFacade(config, memoryStorage(), () => {
      loads++
      return offline()
    })
    expect(auth.user).toBeNull()
    expect(await auth.ready).toBeNull()
    await expect(sessionOf(auth).credentials()).rejects.toMatchObject({ code: 'NotSignedIn' })
    await expect(sessionOf(auth).withCredentials(async () => 1)).rejects.toMatchObject({ code: 'NotSignedIn' })
    await expect(sessionOf(auth).idToken()).rejects.toMatchObject({ code: 'NotSignedIn' })
    expect(() => auth.onChange('x' as never)).toThrow(/listener/)
    expect(loads).toBe(0)
  })

  it('a stored session whose code cannot load: ready is null (no unhandled rejection), calls say Network and load again', async () => {
    const storage = memoryStorage()
    storage.setItem('CognitoIdentityServiceProvider.client1.LastAuthUser', 'daniel')
    let loads = 0
    const auth: Auth = authFacade(config, storage, () => {
      loads++
      return offline()
    })
    expect(await auth.ready).toBeNull()
    await expect(auth.signIn({ username: 'daniel', password: 'x' })).rejects.toMatchObject({ code: 'Network' })
    expect(loads).toBe(2)
  })

  it('forwards exactly the account calls: each one is a method of Auth', () => {
    for (const name of AUTH_METHODS) expect(typeof (AuthClass.prototype as unknown as Record<string, unknown>)[name], name).toBe('function')
  })
})
