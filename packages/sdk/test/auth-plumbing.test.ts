/**
 * The session's plumbing is not part of `whimsy.auth` at runtime (issue 12): a script on the
 * page must not take the credentials or the ID token, nor rename the user (`update({ handle })`),
 * through the public object, before or after the sign-in code has loaded.
 */
import { describe, expect, inject, it } from 'vitest'
import { createWhimsy, memoryStorage } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'

const cloud = inject('cloud')

// The old public plumbing, then `Auth`'s TypeScript-private members (which a forward-anything facade would reach).
const HIDDEN = ['credentials', 'refreshCredentials', 'credentialProvider', 'withCredentials', 'idToken', 'update', 'sessionLost']
const PRIVATE = ['session', 'deps', 'storage', 'call', 'setUser', 'forget', 'fail', 'userKey', 'restore', 'loadUser', 'current']

function expectHidden(auth: object): void {
  for (const name of [...HIDDEN, ...PRIVATE]) {
    expect((auth as Record<string, unknown>)[name], name).toBeUndefined()
    expect(name in auth, name).toBe(false)
  }
}

describe('whimsy.auth carries no session plumbing', () => {
  it('before the sign-in code loads', () => {
    expectHidden(createWhimsy(cloud.config, { storage: memoryStorage() }).auth)
  })

  it('once signed in (the real Auth behind the facade)', async () => {
    const { whimsy } = await signedInWhimsy(cloud, 'plumb')
    expectHidden(whimsy.auth)
    expect(typeof whimsy.auth.signOut).toBe('function')
    await whimsy.auth.signOut()
  })
})
