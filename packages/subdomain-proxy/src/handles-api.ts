/**
 * The trusted claim function's HTTP API, without a runtime: the local cloud serves it at
 * `<api>/_whimsy/handles`, production behind a Lambda function URL. The caller proves who they
 * are with their user-pool ID token; the identityId is derived here (identity pool GetId with
 * that token), never taken from the request.
 *
 *   POST /claim              {"handle"}  Bearer → 200 {handle, identityId} | 400 | 401 | 409
 *   GET  /me                             Bearer → 200 {handle: string | null}
 *   GET  /available/<name>                      → 200 {handle, available, reason?}
 *   GET  /resolve/<handle>                      → 200 {handle, identityId} | 404   (for the edge)
 *   DELETE /account                      Bearer → 200 {versions, uploads, items, handle} | 401 | 404
 *        erases everything the caller owns (`account-erase.ts`); only where `eraseAccount` is
 *        given (the erase function, the local cloud), and only for a sign-in of the last
 *        minutes (`auth_time`), so a token left behind cannot erase an account.
 */
import type { AccountEraser } from './account-erase.js'
import type { HandleRegistry } from './registry.js'

export interface ApiRequest {
  method: string
  /** Path below the API's base, e.g. `/claim`. */
  path: string
  /** Lowercase names. */
  headers: Record<string, string | undefined>
  body?: string
}

export interface ApiResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface HandlesApiOptions {
  registry: Pick<HandleRegistry, 'claim' | 'handleOf' | 'available' | 'lookup' | 'unclaim'>
  /** Verifies a user-pool ID token (signature, issuer, audience, expiry, token_use); throws if it is not good. */
  verifyIdToken: (token: string) => Promise<unknown>
  /** The identity pool's GetId for that token; throws when the pool refuses it. */
  identityIdFor: (idToken: string) => Promise<string>
  /** Origins whose scripts may call the API (the app). Others get no CORS headers. */
  allowedOrigins: string[]
  /** Called after a successful claim, e.g. to drop a cached lookup. */
  onClaimed?: (result: { handle: string; identityId: string; previous: string | null }) => void
  /** Told when an identity gave its handle up (account deletion), e.g. to drop cached lookups. */
  onReleased?: (handle: string) => void
  /** Serves `DELETE /account` (the erase function); absent, the route does not exist. */
  eraseAccount?: AccountEraser['erase']
  now?: () => number
}

/** How recent the sign-in behind an erase must be (the SDK signs in again just before). */
export const ERASE_SIGN_IN_WINDOW_S = 600

export type ErrorCode = 'InvalidHandle' | 'HandleTaken' | 'NotAuthorized' | 'NotFound' | 'BadRequest' | 'MethodNotAllowed' | 'InternalError'

const MAX_BODY = 4096

export function createHandlesApi(options: HandlesApiOptions): (req: ApiRequest) => Promise<ApiResponse> {
  return async (req) => {
    const cors = corsHeaders(req.headers.origin, options.allowedOrigins)
    const reply = (status: number, value: unknown): ApiResponse => ({
      status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...cors },
      body: JSON.stringify(value),
    })
    const fail = (status: number, code: ErrorCode, message: string) => reply(status, { code, message })

    if (req.method === 'OPTIONS') {
      return {
        status: 204,
        headers: {
          ...cors,
          ...(cors['access-control-allow-origin']
            ? {
                'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
                'access-control-allow-headers': 'authorization, content-type',
                'access-control-max-age': '600',
              }
            : {}),
        },
        body: '',
      }
    }

    const available = /^\/available\/([^/]*)$/.exec(req.path)
    const resolved = /^\/resolve\/([^/]*)$/.exec(req.path)
    try {
      if (available || resolved) {
        if (req.method !== 'GET') return fail(405, 'MethodNotAllowed', 'Use GET')
        let name: string
        try {
          name = decodeURIComponent((available ?? resolved)?.[1] ?? '')
        } catch {
          return fail(400, 'InvalidHandle', 'The name is not valid percent-encoding')
        }
        if (available) return reply(200, await options.registry.available(name))
        const identityId = await options.registry.lookup(name)
        return identityId ? reply(200, { handle: name, identityId }) : fail(404, 'NotFound', `Nobody holds "${name}"`)
      }
      const erase = req.path === '/account' && options.eraseAccount
      if (erase && req.method !== 'DELETE') return fail(405, 'MethodNotAllowed', 'Use DELETE')
      if (req.path !== '/claim' && req.path !== '/me' && !erase) return fail(404, 'NotFound', `No such route: ${req.path}`)
      if (req.path === '/claim' && req.method !== 'POST') return fail(405, 'MethodNotAllowed', 'Use POST')
      if (req.path === '/me' && req.method !== 'GET' && req.method !== 'DELETE') return fail(405, 'MethodNotAllowed', 'Use GET or DELETE')

      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
      if (!token) return fail(401, 'NotAuthorized', 'Send the ID token as "Authorization: Bearer <idToken>"')
      let identityId: string
      try {
        await options.verifyIdToken(token)
        identityId = await options.identityIdFor(token)
      } catch (e) {
        return fail(401, 'NotAuthorized', `The ID token was not accepted: ${e instanceof Error ? e.message : String(e)}`)
      }

      if (erase && options.eraseAccount) {
        const authTime = Number(tokenPayload(token).auth_time)
        const now = (options.now ?? Date.now)() / 1000
        if (!Number.isFinite(authTime) || now - authTime > ERASE_SIGN_IN_WINDOW_S)
          return fail(401, 'NotAuthorized', 'Deleting the account needs a fresh sign-in: sign in again, then delete.')
        return reply(200, await options.eraseAccount(identityId))
      }
      if (req.path === '/me' && req.method === 'DELETE') {
        const released = await options.registry.unclaim(identityId)
        if (released) options.onReleased?.(released)
        return reply(200, { released })
      }
      if (req.path === '/me') return reply(200, { handle: await options.registry.handleOf(identityId) })

      if ((req.body?.length ?? 0) > MAX_BODY) return fail(400, 'BadRequest', 'The body is too large')
      let handle: unknown
      try {
        handle = (JSON.parse(req.body || '{}') as { handle?: unknown }).handle
      } catch {
        return fail(400, 'BadRequest', 'The body must be JSON: {"handle": "…"}')
      }
      const result = await options.registry.claim(identityId, handle as string)
      if (!result.ok) return fail(result.code === 'HandleTaken' ? 409 : 400, result.code, result.message)
      options.onClaimed?.(result)
      return reply(200, { handle: result.handle, identityId: result.identityId })
    } catch (e) {
      console.error('[handles]', e)
      return fail(500, 'InternalError', 'The handle registry failed; try again.')
    }
  }
}

/** The payload of a token already verified above. */
function tokenPayload(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return {}
  }
}

function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return { vary: 'Origin' }
  return { 'access-control-allow-origin': origin, vary: 'Origin' }
}
