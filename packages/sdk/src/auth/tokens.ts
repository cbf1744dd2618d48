/**
 * The user-pool tokens of one session, kept in the app's `SessionStorage` under the keys
 * amazon-cognito-identity-js used (`CognitoIdentityServiceProvider.<clientId>.<user>.idToken`…),
 * so sessions saved by earlier SDK versions restore, and tools that read them keep working.
 */
import type { SessionStorage } from '../storage.js'

export interface Tokens {
  idToken: string
  accessToken: string
  refreshToken: string
  /** Seconds this device's clock is ahead of the pool's (when the tokens were issued). */
  clockDrift: number
}

export interface TokenClaims {
  exp?: number
  iat?: number
  email?: string
  'cognito:username'?: string
  username?: string
  [claim: string]: unknown
}

/** A JWT's payload, unverified: the SDK reads its own tokens; the services verify them. */
export function claimsOf(token: string): TokenClaims {
  const part = token.split('.')[1]
  if (!part) return {}
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/')
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as TokenClaims
  } catch {
    return {}
  }
}

/** Whether both short-lived tokens still have time, by the pool's clock. */
export function tokensValid(tokens: Tokens, now = Date.now()): boolean {
  const poolNow = Math.floor(now / 1000) - tokens.clockDrift
  const left = (t: string) => (claimsOf(t).exp ?? 0) - poolNow
  return left(tokens.idToken) > 0 && left(tokens.accessToken) > 0
}

export class TokenStore {
  constructor(
    private readonly storage: SessionStorage,
    private readonly clientId: string,
  ) {}

  private prefix(): string {
    return `CognitoIdentityServiceProvider.${this.clientId}`
  }

  /** The user whose session is stored, if any. */
  lastUser(): string | null {
    return this.storage.getItem(`${this.prefix()}.LastAuthUser`)
  }

  load(username: string): Tokens | null {
    const key = `${this.prefix()}.${username}`
    const idToken = this.storage.getItem(`${key}.idToken`)
    const accessToken = this.storage.getItem(`${key}.accessToken`)
    const refreshToken = this.storage.getItem(`${key}.refreshToken`)
    if (!idToken || !accessToken || !refreshToken) return null
    return { idToken, accessToken, refreshToken, clockDrift: Number(this.storage.getItem(`${key}.clockDrift`)) || 0 }
  }

  save(username: string, tokens: Tokens): void {
    const key = `${this.prefix()}.${username}`
    this.storage.setItem(`${key}.idToken`, tokens.idToken)
    this.storage.setItem(`${key}.accessToken`, tokens.accessToken)
    this.storage.setItem(`${key}.refreshToken`, tokens.refreshToken)
    this.storage.setItem(`${key}.clockDrift`, String(tokens.clockDrift))
    this.storage.setItem(`${this.prefix()}.LastAuthUser`, username)
  }

  clear(username: string): void {
    const key = `${this.prefix()}.${username}`
    for (const item of ['idToken', 'accessToken', 'refreshToken', 'clockDrift', 'userData']) this.storage.removeItem(`${key}.${item}`)
    if (this.lastUser() === username) this.storage.removeItem(`${this.prefix()}.LastAuthUser`)
  }
}

/** Tokens from an `AuthenticationResult`; a refresh answer carries no new refresh token. */
export function tokensFrom(result: Record<string, unknown> | undefined, previousRefreshToken?: string, now = Date.now()): Tokens {
  const idToken = result?.IdToken
  const accessToken = result?.AccessToken
  const refreshToken = (result?.RefreshToken as string | undefined) ?? previousRefreshToken
  if (typeof idToken !== 'string' || typeof accessToken !== 'string' || typeof refreshToken !== 'string')
    throw new Error('The user pool answered without tokens.')
  const iat = claimsOf(idToken).iat
  return { idToken, accessToken, refreshToken, clockDrift: typeof iat === 'number' ? Math.floor(now / 1000) - iat : 0 }
}
