/**
 * Verifies the user-pool access and refresh tokens that reach the local cloud's own Cognito
 * additions (sign-out everywhere). Same trust as the ID-token verifier: the signature against
 * cognito-local's JWKS and its issuer. cognito-local's refresh tokens are JWTs (AWS's are
 * opaque), which is what lets the local cloud date them — but they carry no `kid`, so the
 * pool's one key is used directly instead of a lookup by key id.
 */

import type { Jwks } from 'aws-jwt-verify/jwk'
import { verifyJwtSync } from 'aws-jwt-verify/jwt-verifier'

export interface UserPoolTokenClaims {
  username: string
  /** Seconds since the epoch. */
  iat: number
}

export function createUserPoolTokenVerifier(issuer: string) {
  let jwks: Promise<Jwks> | undefined
  const loadJwks = async (): Promise<Jwks> => {
    const res = await fetch(`${issuer}/.well-known/jwks.json`)
    if (!res.ok) throw new Error(`JWKS fetch failed: ${res.status}`)
    return (await res.json()) as Jwks
  }
  /** The token's user and issue time, or undefined when it is not a valid token of this pool. */
  return async (token: string): Promise<UserPoolTokenClaims | undefined> => {
    jwks ??= loadJwks().catch((e: unknown) => {
      jwks = undefined
      throw e
    })
    const keys = await jwks
    const key = keys.keys[0]
    if (!key) return undefined
    try {
      const payload = verifyJwtSync(token, key, { issuer, audience: null })
      const username = payload.username ?? payload['cognito:username']
      if (typeof username !== 'string' || typeof payload.iat !== 'number') return undefined
      return { username, iat: payload.iat }
    } catch {
      return undefined
    }
  }
}
