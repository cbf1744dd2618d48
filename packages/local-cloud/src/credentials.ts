/**
 * Temporary AWS credentials for identity-pool users, minted without any store: the session
 * token carries the identityId and the expiry, sealed with an HMAC of the local cloud's
 * secret, and the secret access key is derived from the access key id. A restart keeps
 * every issued credential valid (the secret lives in the data directory), and a forged or
 * edited token fails its MAC.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export interface TemporaryCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
}

export interface CredentialClaims {
  identityId: string
  /** Expiry, ms since the epoch. */
  exp: number
}

export type CredentialCheck =
  | { ok: true; claims: CredentialClaims }
  | { ok: false; code: 'InvalidAccessKeyId' | 'ExpiredToken' | 'InvalidToken'; message: string }

export class CredentialMint {
  constructor(private readonly secret: Buffer) {}

  mint(identityId: string, lifetimeSeconds: number, now = Date.now()): TemporaryCredentials {
    // ASIA… is AWS's prefix for temporary keys; the rest is random, as AWS's is.
    const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase()}`
    const claims: CredentialClaims & { akid: string } = { akid: accessKeyId, identityId, exp: now + lifetimeSeconds * 1000 }
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
    return {
      accessKeyId,
      secretAccessKey: this.secretFor(accessKeyId),
      sessionToken: `${payload}.${this.mac(payload)}`,
      expiration: new Date(claims.exp),
    }
  }

  /** The secret key that belongs to an access key id (only this mint can derive it). */
  secretFor(accessKeyId: string): string {
    return createHmac('sha256', this.secret).update(`secret:${accessKeyId}`).digest('base64url')
  }

  check(accessKeyId: string, sessionToken: string | undefined, now = Date.now()): CredentialCheck {
    if (!accessKeyId.startsWith('ASIA'))
      return { ok: false, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' }
    if (!sessionToken) return { ok: false, code: 'InvalidToken', message: 'Temporary credentials need their session token.' }
    const [payload = '', mac = ''] = sessionToken.split('.')
    const expected = Buffer.from(this.mac(payload))
    const given = Buffer.from(mac)
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as CredentialClaims & { akid: string }
    if (claims.akid !== accessKeyId) return { ok: false, code: 'InvalidToken', message: 'The security token does not belong to this access key.' }
    if (now >= claims.exp) return { ok: false, code: 'ExpiredToken', message: 'The provided token has expired.' }
    return { ok: true, claims: { identityId: claims.identityId, exp: claims.exp } }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(`token:${payload}`).digest('base64url')
  }
}
