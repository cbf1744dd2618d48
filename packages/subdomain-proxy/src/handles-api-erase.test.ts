/**
 * `DELETE /account` wants a fresh sign-in: an ID token whose `auth_time` is older than the
 * window (a token left in a browser, refreshed for days) cannot erase the account. The route
 * exists only where an eraser is given (the claim function has none).
 */
import { describe, expect, it } from 'vitest'
import { createHandlesApi, ERASE_SIGN_IN_WINDOW_S } from './handles-api.js'

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0)
const tokenSignedInAt = (authTime: number) =>
  `e30.${Buffer.from(JSON.stringify({ auth_time: authTime, token_use: 'id' })).toString('base64url')}.signature-checked-by-the-verifier`
const registry = {
  claim: async () => ({ ok: false }) as never,
  handleOf: async () => null,
  available: async () => ({}) as never,
  lookup: async () => null,
  unclaim: async () => null,
}

function api(erased: string[], withEraser = true) {
  return createHandlesApi({
    registry,
    verifyIdToken: async () => ({}),
    identityIdFor: async () => 'us-east-1:11111111-1111-4111-8111-111111111111',
    allowedOrigins: [],
    now: () => NOW,
    ...(withEraser
      ? {
          eraseAccount: async (id: string) => {
            erased.push(id)
            return { versions: 0, uploads: 0, items: 0, handle: null }
          },
        }
      : {}),
  })
}
const del = (token: string) => ({ method: 'DELETE', path: '/account', headers: { authorization: `Bearer ${token}` } })

describe('DELETE /account', () => {
  it('erases after a recent sign-in, and refuses an old one', async () => {
    const erased: string[] = []
    const fresh = await api(erased)(del(tokenSignedInAt(NOW / 1000 - 60)))
    expect(fresh.status).toBe(200)
    const stale = await api(erased)(del(tokenSignedInAt(NOW / 1000 - ERASE_SIGN_IN_WINDOW_S - 1)))
    expect(stale.status).toBe(401)
    expect(JSON.parse(stale.body)).toMatchObject({ code: 'NotAuthorized', message: expect.stringMatching(/fresh sign-in/) })
    expect((await api(erased)(del('e30.e30.sig'))).status).toBe(401) // no auth_time at all
    expect(erased).toHaveLength(1)
  })

  it('does not exist where no eraser is given (the claim function)', async () => {
    expect((await api([], false)(del(tokenSignedInAt(NOW / 1000)))).status).toBe(404)
  })
})
