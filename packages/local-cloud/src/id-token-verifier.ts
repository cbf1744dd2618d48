/**
 * Verifies user-pool ID tokens the way the identity pool does: signature against the pool's
 * JWKS, issuer, audience (the app client), `token_use` = id, and expiry.
 *
 * `aws-jwt-verify`'s CognitoJwtVerifier refuses cognito-local's pool ids and its default
 * fetcher refuses `http:`, so this uses the generic JwtRsaVerifier with a fetcher of our own.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify'
import { SimpleJwksCache } from 'aws-jwt-verify/jwk'
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
}

export function createIdTokenVerifier({ issuer, clientId }: IdTokenVerifierOptions) {
  const verifier = JwtRsaVerifier.create(
    { issuer, audience: clientId, jwksUri: `${issuer}/.well-known/jwks.json`, customJwtCheck: ({ payload }) => checkIdToken(payload) },
    {
      jwksCache: new SimpleJwksCache({
        fetcher: {
          async fetch(uri: string) {
            const res = await fetch(uri)
            if (!res.ok) throw new Error(`JWKS fetch failed: ${res.status}`)
            return res.arrayBuffer()
          },
        },
      }),
    },
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

function checkIdToken(payload: JwtPayload): void {
  if (payload.token_use !== 'id') throw new Error('Not an ID token')
}
