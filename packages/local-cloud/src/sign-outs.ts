/**
 * "Sign out everywhere" for the local cloud. Gap: cognito-local 5.3.0 has no `GlobalSignOut`,
 * so the local cloud remembers, per user, the second of their last global sign-out and refuses
 * every token issued up to it: refresh tokens at `InitiateAuth`, access tokens at user-pool
 * calls, ID tokens at the identity pool. Kept in `<dataDir>/sign-outs.json` so a restart
 * does not bring revoked sessions back.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export class SignOuts {
  private readonly file: string
  private readonly revokedThrough: Record<string, number>

  constructor(dataDir: string) {
    this.file = join(dataDir, 'sign-outs.json')
    this.revokedThrough = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, number>) : {}
  }

  /**
   * Revokes every token issued to `username` so far. Token `iat`s have one-second resolution,
   * so this returns only once the clock has left the revocation second: a token issued after
   * the call returns is never mistaken for a revoked one.
   */
  async signOutEverywhere(username: string): Promise<void> {
    const now = Date.now()
    this.revokedThrough[username] = Math.floor(now / 1000)
    writeFileSync(this.file, `${JSON.stringify(this.revokedThrough)}\n`)
    await new Promise((resolve) => setTimeout(resolve, 1000 - (now % 1000) + 5))
  }

  /** Whether a token with this `iat` (seconds) issued to `username` has been revoked. */
  isRevoked(username: string, issuedAt: number): boolean {
    const through = this.revokedThrough[username]
    return through !== undefined && issuedAt <= through
  }
}
