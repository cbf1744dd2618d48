/**
 * The Cognito identity-pool endpoint, which no emulator provides: `GetId` and
 * `GetCredentialsForIdentity`, the two calls `fromCognitoIdentityPool` makes. Only
 * authenticated identities exist (the pool has no unauthenticated role), and the identityId is
 * derived here from the verified token, never taken from the client.
 * https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetId.html
 */
import { createHmac } from 'node:crypto'
import type { CredentialMint } from './credentials.js'
import type { IdTokenClaims } from './id-token-verifier.js'

export interface IdentityPoolOptions {
  region: string
  identityPoolId: string
  userPoolId: string
  secret: Buffer
  mint: CredentialMint
  verifyIdToken: (token: string) => Promise<IdTokenClaims>
  /** Lifetime of minted credentials; AWS's is one hour. */
  credentialLifetimeSeconds: number
  /**
   * Adds this many seconds to the `Expiration` the pool reports (not to the real validity):
   * what a client whose clock runs behind believes. Tests of SDK retries use it.
   */
  reportedExpiryLagSeconds?: number
  /** Whether tokens issued to this user at this time are still honoured (sign-out everywhere). */
  isTokenRevoked?: (claims: IdTokenClaims) => boolean
}

export type IdentityPoolResponse = { status: number; body: Record<string, unknown> }

export class IdentityPool {
  constructor(private readonly options: IdentityPoolOptions) {}

  /** The identityId of a user-pool user: stable, `region:uuid`, unguessable without the secret. */
  identityIdFor(sub: string): string {
    const h = createHmac('sha256', this.options.secret).update(`identity:${this.options.userPoolId}:${sub}`).digest('hex')
    const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h.charAt(16), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
    return `${this.options.region}:${uuid}`
  }

  async handle(operation: string, body: Record<string, unknown>): Promise<IdentityPoolResponse> {
    if (operation !== 'GetId' && operation !== 'GetCredentialsForIdentity')
      return error('InvalidParameterException', `The local identity pool does not implement ${operation}`)
    if (operation === 'GetId' && body.IdentityPoolId !== this.options.identityPoolId)
      return error('ResourceNotFoundException', `IdentityPool '${String(body.IdentityPoolId)}' not found.`, 400)
    const claims = await this.verifyLogins(body.Logins)
    if ('status' in claims) return claims
    const identityId = this.identityIdFor(claims.sub)
    if (operation === 'GetId') return { status: 200, body: { IdentityId: identityId } }

    if (body.IdentityId !== identityId) return error('NotAuthorizedException', 'Logins do not match the identity.')
    const creds = this.options.mint.mint(identityId, this.options.credentialLifetimeSeconds)
    return {
      status: 200,
      body: {
        IdentityId: identityId,
        Credentials: {
          AccessKeyId: creds.accessKeyId,
          SecretKey: creds.secretAccessKey,
          SessionToken: creds.sessionToken,
          Expiration: creds.expiration.getTime() / 1000 + (this.options.reportedExpiryLagSeconds ?? 0),
        },
      },
    }
  }

  private async verifyLogins(logins: unknown): Promise<IdTokenClaims | IdentityPoolResponse> {
    const entries = Object.entries((logins ?? {}) as Record<string, unknown>)
    if (entries.length === 0) return error('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.')
    const provider = `/${this.options.userPoolId}`
    const found = entries.find(([name]) => name.startsWith('cognito-idp.') && name.endsWith(provider))
    if (!found || typeof found[1] !== 'string')
      return error('NotAuthorizedException', 'Invalid login token. Only this user pool may sign in to the identity pool.')
    try {
      const claims = await this.options.verifyIdToken(found[1])
      if (this.options.isTokenRevoked?.(claims)) return error('NotAuthorizedException', 'Invalid login token. Token has been revoked.')
      return claims
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e)
      return error('NotAuthorizedException', `Invalid login token. ${reason}`)
    }
  }
}

function error(type: string, message: string, status = 400): IdentityPoolResponse {
  return { status, body: { __type: type, message } }
}
