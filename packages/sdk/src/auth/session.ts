/**
 * The signed-in session's plumbing, internal to the SDK: the user-pool tokens (refreshed when
 * they expire), and the identity-pool credentials the SDK's AWS clients sign with (one cache,
 * `credentials.ts`). `Auth` is the public face; the data nouns reach this through the SDK's
 * own context, never through anything an app is shown.
 */
import { detailOf, toWhimsyError } from '../aws-errors.js'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import type { SessionStorage } from '../storage.js'
import type { CallOptions, CognitoCall } from './cognito-api.js'
import { CredentialCache, isExpiredCredentialsError, type ScopedCredentials } from './credentials.js'
import { TokenStore, type Tokens, tokensFrom, tokensValid } from './tokens.js'

/** Diagnostics, for logs and tests: what the SDK fetched and why. */
export type WhimsyEvent =
  | { type: 'credentials'; identityId: string; expiration: Date; forced: boolean }
  | { type: 'tokensRefreshed'; username: string }
  | { type: 'retryExpiredCredentials'; error: string }

export interface SessionDependencies {
  config: WhimsyConfig
  storage: SessionStorage
  call: CognitoCall
  /** Exchanges an ID token for identity-pool credentials. */
  exchangeToken: (idToken: string) => Promise<ScopedCredentials>
  onEvent?: (event: WhimsyEvent) => void
  /** The session ended under us (revoked elsewhere, refresh token expired). */
  onLost: () => void
}

export function notSignedIn(): WhimsyError {
  return new WhimsyError('NotSignedIn', 'Sign in first.')
}

export class Session {
  private current: { username: string; tokens: Tokens } | null = null
  private refreshing?: Promise<Tokens>
  private readonly store: TokenStore
  readonly cache: CredentialCache

  constructor(private readonly deps: SessionDependencies) {
    this.store = new TokenStore(deps.storage, deps.config.userPoolClientId)
    this.cache = new CredentialCache((force) => this.fetchCredentials(force))
  }

  get username(): string | null {
    return this.current?.username ?? null
  }

  /** Picks up the session saved on this device, if any (not checked against the pool yet). */
  load(): string | null {
    const username = this.store.lastUser()
    const tokens = username ? this.store.load(username) : null
    this.current = username && tokens ? { username, tokens } : null
    return this.current?.username ?? null
  }

  /** Starts the session of a user who just proved their password. */
  begin(username: string, tokens: Tokens): void {
    // Another user was signed in on this device: their tokens go, not just their credentials.
    if (this.current && this.current.username !== username) this.store.clear(this.current.username)
    this.cache.clear()
    this.current = { username, tokens }
    this.store.save(username, tokens)
  }

  /** Forgets tokens and credentials here (nothing is sent). Returns the refresh token it held. */
  end(): string | undefined {
    const refreshToken = this.current?.tokens.refreshToken
    if (this.current) this.store.clear(this.current.username)
    this.current = null
    this.refreshing = undefined
    this.cache.clear()
    return refreshToken
  }

  /** Valid tokens: the stored ones, or refreshed ones when they expired or when forced. */
  async tokens(force = false, options: CallOptions = {}): Promise<Tokens> {
    const current = this.current
    if (!current) throw notSignedIn()
    if (!force && tokensValid(current.tokens)) return current.tokens
    this.refreshing ??= this.refresh(current).finally(() => {
      this.refreshing = undefined
    })
    // One refresh serves every waiter, so one caller's signal ends its own wait, not the refresh.
    return untilAborted(this.refreshing, options.signal)
  }

  private async refresh(current: { username: string; tokens: Tokens }): Promise<Tokens> {
    const answer = await this.deps.call<{ AuthenticationResult?: Record<string, unknown> }>('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: this.deps.config.userPoolClientId,
      AuthParameters: { REFRESH_TOKEN: current.tokens.refreshToken },
    })
    const tokens = tokensFrom(answer.AuthenticationResult, current.tokens.refreshToken)
    // Signed out (or in as someone else) while this ran: do not bring the old session back.
    if (this.current !== current) throw notSignedIn()
    this.current = { username: current.username, tokens }
    this.store.save(current.username, tokens)
    this.deps.onEvent?.({ type: 'tokensRefreshed', username: current.username })
    return tokens
  }

  /** The current ID token (refreshed when needed), for the trusted functions (handles, erase). */
  async idToken(options: CallOptions = {}): Promise<string> {
    return (await this.tokens(false, options)).idToken
  }

  /** The current credentials, for the SDK's AWS clients. */
  credentials(): Promise<ScopedCredentials> {
    if (!this.current) return Promise.reject(notSignedIn())
    return this.cache.get()
  }

  /** New credentials now (for work that must outlive the current ones, like share links). */
  refreshCredentials(): Promise<ScopedCredentials> {
    if (!this.current) return Promise.reject(notSignedIn())
    return this.cache.refresh(false)
  }

  /** An AWS SDK credential provider backed by this session. */
  credentialProvider() {
    return this.cache.provider()
  }

  /**
   * Runs `call` with the session's credentials; when the server says they expired although
   * they looked valid (a wrong clock, a machine waking from sleep), refreshes them — with a
   * new ID token — and runs it once more.
   */
  async withCredentials<T>(call: (credentials: ScopedCredentials) => Promise<T>): Promise<T> {
    const credentials = await this.credentials()
    try {
      return await call(credentials)
    } catch (e) {
      if (!isExpiredCredentialsError(e)) throw e
      this.deps.onEvent?.({ type: 'retryExpiredCredentials', error: String((e as Error).name) })
      return call(await this.cache.refresh(true))
    }
  }

  private async fetchCredentials(forceTokenRefresh: boolean): Promise<ScopedCredentials> {
    try {
      const tokens = await this.tokens(forceTokenRefresh)
      const credentials = await this.deps.exchangeToken(tokens.idToken)
      this.deps.onEvent?.({ type: 'credentials', identityId: credentials.identityId, expiration: credentials.expiration, forced: forceTokenRefresh })
      return credentials
    } catch (e) {
      const error = toWhimsyError(e)
      if (error.code === 'NotAuthorized' || error.code === 'NotSignedIn') {
        // Revoked (signed out everywhere) or expired beyond refresh: the session is over. A
        // revoked token needs no second try; an expired one gets a refreshed ID token.
        const revoked = detailOf(e) === 'TokenRevoked'
        if (!forceTokenRefresh && !revoked && this.current) return this.fetchCredentials(true)
        if (this.current) {
          this.end()
          this.deps.onLost()
        }
        throw new WhimsyError('NotSignedIn', 'Your session has ended (signed out on another device, or expired). Sign in again.', { cause: e })
      }
      throw error
    }
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  if (signal.aborted) return Promise.reject(new WhimsyError('Aborted', 'The request was cancelled.'))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new WhimsyError('Aborted', 'The request was cancelled.'))
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
