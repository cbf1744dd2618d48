/**
 * Verifies user-pool ID tokens the way the identity pool does: signature, issuer, audience
 * (the app client), `token_use` = id, and expiry.
 *
 * The signature is checked against the data directory's own key only (`user-pool-key.ts`),
 * never a JWKS fetched from cognito-local: issue 11, finding 4. `aws-jwt-verify`'s
 * CognitoJwtVerifier refuses cognito-local's pool ids, so this uses the generic JwtRsaVerifier,
 * with a key cache that holds that one key and fetches nothing.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify'
import type { JwksCache, JwkWithKid } from 'aws-jwt-verify/jwk'
import type { JwtPayload } from 'aws-jwt-verify/jwt-model'

export interface IdTokenClaims {
  sub: string
  username: string
  email?: string
  /** Seconds since the epoch. */
  iat: number
}

export interface IdTokenVerifierOptions {
  /** `http://127.0.0.1:<port>/<poolId>`: what cognito-local writes into `iss`. */
  issuer: string
  clientId: string
  /** The user pool's public key (`UserPoolKey.publicJwk`). */
  jwk: JwkWithKid
}

export function createIdTokenVerifier({ issuer, clientId, jwk }: IdTokenVerifierOptions) {
  const verifier = JwtRsaVerifier.create(
    { issuer, audience: clientId, customJwtCheck: ({ payload }) => checkIdToken(payload) },
    { jwksCache: singleKeyCache(jwk) },
  )
  return async (token: string): Promise<IdTokenClaims> => {
    const payload = await verifier.verify(token)
    return {
      sub: String(payload.sub),
      username: String(payload['cognito:username'] ?? payload.sub),
      email: typeof payload.email === 'string' ? payload.email : undefined,
      iat: Number(payload.iat),
    }
  }
}

/** A JWKS cache that knows one key and never fetches another. */
export function singleKeyCache(jwk: JwkWithKid): JwksCache {
  const pick: JwksCache['getCachedJwk'] = (_uri, jwt) => {
    if (jwt.header.kid !== jwk.kid) throw new Error(`The token is not signed with this local cloud's key (kid ${String(jwt.header.kid)})`)
    return jwk
  }
  const jwks = { keys: [jwk] }
  return {
    getCachedJwk: pick,
    getJwk: async (uri, jwt) => pick(uri, jwt),
    getJwks: async () => jwks,
    addJwks() {
      throw new Error('The local cloud trusts only its own user-pool key')
    },
  }
}

function checkIdToken(payload: JwtPayload): void {
  if (payload.token_use !== 'id') throw new Error('Not an ID token')
}
