/**
 * Verifies the user-pool access and refresh tokens that reach the local cloud's own Cognito
 * additions (sign-out everywhere, and the access-token checks in front of cognito-local, which
 * only decodes them). Same trust as the ID-token verifier: the data directory's own key
 * (issue 11, finding 4) and the pool's issuer. cognito-local's refresh tokens are JWTs (AWS's
 * are opaque), which is what lets the local cloud date them — but they carry no `kid`, so the
 * key is used directly instead of a lookup by key id.
 */

import type { Jwk } from 'aws-jwt-verify/jwk'
import { verifyJwtSync } from 'aws-jwt-verify/jwt-verifier'

export interface UserPoolTokenClaims {
  username: string
  /** Seconds since the epoch. */
  iat: number
  /** `access` or `id`; absent on refresh tokens. */
  tokenUse?: string
}

export function createUserPoolTokenVerifier(issuer: string, jwk: Jwk) {
  /** The token's user and issue time, or undefined when it is not a valid token of this pool. */
  return async (token: string): Promise<UserPoolTokenClaims | undefined> => {
    try {
      const payload = verifyJwtSync(token, jwk, { issuer, audience: null })
      const username = payload.username ?? payload['cognito:username']
      if (typeof username !== 'string' || typeof payload.iat !== 'number') return undefined
      return { username, iat: payload.iat, tokenUse: typeof payload.token_use === 'string' ? payload.token_use : undefined }
    } catch {
      return undefined
    }
  }
}
