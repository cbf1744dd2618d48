/**
 * Accounts and sessions: sign up, confirm, sign in (SRP by default, the password flow where
 * the config says so), sign out here or everywhere, reset and change the password, delete the
 * account, and restore the session on page load. Talks to the user pool's JSON API directly
 * (`cognito-api.ts`); tokens and credentials live in the internal session
 * (`session.ts`), kept in the `storage` given to `createWhimsy` (localStorage in the browser).
 *
 * Every call takes `{ signal }` as its last argument and gives up after a timeout with `Network`.
 */
import { checkArgument, checkInput, checkOptions, is } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import { COGNITO_DEFAULT_PASSWORD_POLICY, type WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import type { SessionStorage } from '../storage.js'
import { type CognitoCall, cognitoClient } from './cognito-api.js'
import { callOptions, checkCode, checkEmail, checkPassword, checkUsername } from './inputs.js'
import { describePasswordPolicy } from './password-policy.js'
import { notSignedIn, type Session } from './session.js'
import { registerSession } from './session-access.js'
import { proveIdentity } from './sign-in.js'
import { claimsOf } from './tokens.js'
import type { AuthCallOptions, AuthChange, AuthDependencies, WhimsyUser } from './types.js'

export type { WhimsyEvent } from './session.js'
export type { AuthCallOptions, AuthChange, AuthDependencies, WhimsyUser } from './types.js'

const USER_KEY = 'whimsy.user'

export class Auth {
  private readonly config: WhimsyConfig
  private readonly storage: SessionStorage
  private readonly session: Session
  private readonly call: CognitoCall
  private readonly listeners = new Set<(user: WhimsyUser | null, change: AuthChange) => void>()
  private current: WhimsyUser | null = null
  /** Bumped by every sign-in and sign-out, so a slow restore cannot undo them. */
  private epoch = 0
  /** Resolves once a stored session has been restored (or found absent) after construction. */
  readonly ready: Promise<WhimsyUser | null>

  constructor(private readonly deps: AuthDependencies) {
    this.config = deps.config
    this.storage = deps.storage
    this.session = deps.session
    this.call = deps.call ?? cognitoClient(deps.config)
    this.ready = this.restore()
    // The plumbing stays off the public object (session-access.ts): a page's scripts cannot
    // take the credentials or rename the user through `whimsy.auth`.
    registerSession(this, {
      credentials: () => this.session.credentials(),
      refreshCredentials: () => this.session.refreshCredentials(),
      credentialProvider: () => this.session.credentialProvider(),
      withCredentials: (call) => this.session.withCredentials(call),
      idToken: () => this.session.idToken().catch((e) => this.fail(e)),
      update: (fields) => {
        if (!this.current) return
        this.setUser({ ...this.current, ...fields }, 'updated')
        this.storage.setItem(this.userKey(), JSON.stringify(this.current))
      },
      sessionLost: () => {
        this.storage.removeItem(this.userKey())
        if (this.current) this.setUser(null, 'sessionLost')
      },
    })
  }

  /** The signed-in user, or `null`. */
  get user(): WhimsyUser | null {
    return this.current
  }

  /**
   * Calls `listener` on sign-in, sign-out, a restored session, a lost session (revoked or
   * expired elsewhere) and profile updates such as a new handle. Returns the unsubscribe.
   * @example
   * const stop = whimsy.auth.onChange((user, change) => render(user))
   */
  onChange(listener: (user: WhimsyUser | null, change: AuthChange) => void): () => void {
    checkArgument('auth.onChange', 'listener', listener, is.function)
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Creates an account; a confirmation code is e-mailed (on the local cloud: printed and kept in
   * its mailbox).
   * @example
   * await whimsy.auth.signUp({ username: 'daniel', email: 'd@example.com', password })
   */
  async signUp(input: { username: string; email: string; password: string }, options?: AuthCallOptions): Promise<{ confirmed: boolean; destination?: string }> {
    checkInput('auth.signUp', input, { username: is.string, email: is.string, password: is.string })
    const { signal } = callOptions('auth.signUp', options)
    const username = checkUsername(input.username)
    // The pool's e-mail alias: an address signs in for the account that confirmed it, so no
    // username may look like one (Cognito refuses it too).
    if (username.includes('@')) throw new WhimsyError('InvalidInput', 'A username cannot contain "@": the e-mail address signs in as well, as itself.')
    const email = checkEmail(input.email)
    checkPassword(this.config, input.password)
    const result = await this.call<{ UserConfirmed?: boolean; CodeDeliveryDetails?: { Destination?: string } }>(
      'SignUp',
      { ClientId: this.config.userPoolClientId, Username: username, Password: input.password, UserAttributes: [{ Name: 'email', Value: email }] },
      { signal },
    ).catch((e) => this.fail(e))
    return { confirmed: result.UserConfirmed === true, destination: result.CodeDeliveryDetails?.Destination }
  }

  /**
   * Confirms an account with the e-mailed code.
   * @example
   * await whimsy.auth.confirmSignUp({ username: 'daniel', code: '123456' })
   */
  async confirmSignUp(input: { username: string; code: string }, options?: AuthCallOptions): Promise<void> {
    checkInput('auth.confirmSignUp', input, { username: is.string, code: is.string })
    const { signal } = callOptions('auth.confirmSignUp', options)
    const username = checkUsername(input.username)
    const code = checkCode(input.code)
    // ForceAliasCreation false: confirming must never take an e-mail alias from another account.
    await this.call(
      'ConfirmSignUp',
      { ClientId: this.config.userPoolClientId, Username: username, ConfirmationCode: code, ForceAliasCreation: false },
      { signal },
    ).catch((e) => this.fail(e))
  }

  /**
   * Sends a new confirmation code.
   * @example
   * await whimsy.auth.resendCode({ username: 'daniel' })
   */
  async resendCode(input: { username: string }, options?: AuthCallOptions): Promise<{ destination?: string }> {
    checkInput('auth.resendCode', input, { username: is.string })
    const { signal } = callOptions('auth.resendCode', options)
    const username = checkUsername(input.username)
    const result = await this.call<{ CodeDeliveryDetails?: { Destination?: string } }>(
      'ResendConfirmationCode',
      { ClientId: this.config.userPoolClientId, Username: username },
      { signal },
    ).catch((e) => this.fail(e))
    return { destination: result.CodeDeliveryDetails?.Destination }
  }

  /**
   * Signs in with the username or the verified e-mail address, and fetches the user's scoped
   * credentials. Resolves to the user.
   * @example
   * const user = await whimsy.auth.signIn({ username: 'daniel', password })
   * console.log(user.identityId)
   */
  async signIn(input: { username: string; password: string }, options?: AuthCallOptions): Promise<WhimsyUser> {
    checkInput('auth.signIn', input, { username: is.string, password: is.string })
    const { signal } = callOptions('auth.signIn', options)
    const name = checkUsername(input.username)
    if (!input.password) throw new WhimsyError('InvalidInput', 'Enter your password.')
    const proven = await proveIdentity(this.call, this.config, name, input.password, { signal }).catch((e) => this.fail(e))
    this.epoch++
    this.session.begin(proven.username, proven.tokens)
    const signedIn = await this.loadUser(proven.username).catch((e) => {
      this.forget()
      throw toWhimsyError(e)
    })
    this.setUser(signedIn, 'signIn')
    return signedIn
  }

  /**
   * Signs out on this device, or with `{ everywhere: true }` on every device: their refresh
   * tokens are revoked, so they lose the session at their next refresh.
   * @example
   * await whimsy.auth.signOut({ everywhere: true })
   */
  async signOut(options: { everywhere?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const { everywhere, signal } = checkOptions<{ everywhere?: boolean; signal?: AbortSignal }>('auth.signOut', options, {
      everywhere: is.boolean,
      signal: is.signal,
    })
    if (!this.session.username) return
    this.epoch++
    if (everywhere) {
      try {
        const tokens = await this.session.tokens(false, { signal })
        await this.call('GlobalSignOut', { AccessToken: tokens.accessToken }, { signal })
      } catch (e) {
        const error = toWhimsyError(e)
        // Already signed out everywhere (from another device): what was asked is done.
        if (error.code !== 'NotSignedIn' && error.code !== 'NotAuthorized') throw error
      }
      this.forget()
    } else {
      // Revoke this device's refresh token so a copy of it is worthless; best effort, since
      // signing out must work offline too.
      const refreshToken = this.forget()
      // Signed out now, before the revoke's round trip: a call in flight meanwhile (a change-feed
      // read) finds no session and must not report it as lost.
      this.setUser(null, 'signOut')
      if (refreshToken)
        await this.call('RevokeToken', { Token: refreshToken, ClientId: this.config.userPoolClientId }, { signal, timeoutMs: 5000 }).catch(() => {})
      return
    }
    this.setUser(null, 'signOut')
  }

  /**
   * Starts a password reset: a code is e-mailed.
   * @example
   * await whimsy.auth.forgotPassword({ username: 'daniel' })
   */
  async forgotPassword(input: { username: string }, options?: AuthCallOptions): Promise<{ destination?: string }> {
    checkInput('auth.forgotPassword', input, { username: is.string })
    const { signal } = callOptions('auth.forgotPassword', options)
    const username = checkUsername(input.username)
    const result = await this.call<{ CodeDeliveryDetails?: { Destination?: string } }>(
      'ForgotPassword',
      { ClientId: this.config.userPoolClientId, Username: username },
      { signal },
    ).catch((e) => this.fail(e))
    return { destination: result.CodeDeliveryDetails?.Destination }
  }

  /**
   * Finishes a password reset with the e-mailed code and a new password.
   * @example
   * await whimsy.auth.confirmNewPassword({ username: 'daniel', code: '123456', password: newPassword })
   */
  async confirmNewPassword(input: { username: string; code: string; password: string }, options?: AuthCallOptions): Promise<void> {
    checkInput('auth.confirmNewPassword', input, { username: is.string, code: is.string, password: is.string })
    const { signal } = callOptions('auth.confirmNewPassword', options)
    const username = checkUsername(input.username)
    const code = checkCode(input.code)
    checkPassword(this.config, input.password)
    await this.call(
      'ConfirmForgotPassword',
      { ClientId: this.config.userPoolClientId, Username: username, ConfirmationCode: code, Password: input.password },
      { signal },
    ).catch((e) => this.fail(e))
  }

  /**
   * Changes the signed-in user's password.
   * @example
   * await whimsy.auth.changePassword({ oldPassword, newPassword })
   */
  async changePassword(input: { oldPassword: string; newPassword: string }, options?: AuthCallOptions): Promise<void> {
    checkInput('auth.changePassword', input, { oldPassword: is.string, newPassword: is.string })
    const { signal } = callOptions('auth.changePassword', options)
    if (!input.oldPassword) throw new WhimsyError('InvalidInput', 'Enter your current password.')
    if (!this.session.username) throw notSignedIn()
    checkPassword(this.config, input.newPassword)
    const tokens = await this.session.tokens(false, { signal }).catch((e) => this.fail(e))
    await this.call(
      'ChangePassword',
      { PreviousPassword: input.oldPassword, ProposedPassword: input.newPassword, AccessToken: tokens.accessToken },
      { signal },
    ).catch((e) => this.fail(e))
  }

  /**
   * Deletes the account for good: first every file version, key-value item and the handle,
   * then the user. Asks for the password again, so a session left open cannot be used to do it.
   * @example
   * await whimsy.auth.deleteAccount({ password })
   */
  async deleteAccount(input: { password: string }, options?: AuthCallOptions): Promise<void> {
    checkInput('auth.deleteAccount', input, { password: is.string })
    const { signal } = callOptions('auth.deleteAccount', options)
    if (!input.password) throw new WhimsyError('InvalidInput', 'Enter your password to delete the account.')
    const current = this.current
    if (!this.session.username || !current) throw notSignedIn()
    // Proves the password and leaves a fresh session for the calls below.
    const proven = await proveIdentity(this.call, this.config, current.username, input.password, { signal }).catch((e) => this.fail(e))
    this.session.begin(proven.username, proven.tokens)
    await this.deps.deleteUserData()
    await this.call('DeleteUser', { AccessToken: proven.tokens.accessToken }, { signal }).catch((e) => this.fail(e))
    this.forget()
    this.setUser(null, 'signOut')
  }

  // ————— internals —————

  private async restore(): Promise<WhimsyUser | null> {
    const username = this.session.load()
    if (!username) return null
    const epoch = this.epoch
    try {
      await this.session.tokens(false)
      const stored = this.storedUser()
      const restored = stored?.username === username ? stored : await this.loadUser(username)
      // A sign-in or sign-out while this ran wins.
      if (epoch !== this.epoch) return this.current
      this.setUser(restored, 'restored')
      return restored
    } catch (e) {
      if (epoch !== this.epoch) return this.current
      const error = toWhimsyError(e)
      if (error.code === 'Network') {
        // Offline start: keep the stored session; calls will try again when back online.
        const stored = this.storedUser()
        if (stored) this.setUser(stored, 'restored')
        return stored
      }
      this.forget()
      this.setUser(null, 'sessionLost')
      return null
    }
  }

  /** The user's identity: credentials (which carry the identityId) and, best effort, the handle. */
  private async loadUser(username: string): Promise<WhimsyUser> {
    const tokens = await this.session.tokens(false)
    const credentials = await this.session.credentials()
    const claims = claimsOf(tokens.idToken)
    const handle = await this.deps.lookupHandle(tokens.idToken).catch(() => undefined)
    const loaded: WhimsyUser = { username, identityId: credentials.identityId }
    if (typeof claims.email === 'string') loaded.email = claims.email
    if (handle) loaded.handle = handle
    this.storage.setItem(this.userKey(), JSON.stringify(loaded))
    return loaded
  }

  /** Forgets the session on this device; returns the refresh token it held. */
  private forget(): string | undefined {
    this.storage.removeItem(this.userKey())
    return this.session.end()
  }

  private setUser(user: WhimsyUser | null, change: AuthChange): void {
    this.current = user
    for (const listener of this.listeners) {
      try {
        listener(user, change)
      } catch (e) {
        // A faulty listener must not break sign-in for the others.
        console.error('[whimsy] onChange listener failed', e)
      }
    }
  }

  private storedUser(): WhimsyUser | null {
    try {
      const raw = this.storage.getItem(this.userKey())
      return raw ? (JSON.parse(raw) as WhimsyUser) : null
    } catch {
      return null
    }
  }

  private userKey(): string {
    return `${USER_KEY}.${this.config.userPoolClientId}`
  }

  private fail(e: unknown): never {
    const error = toWhimsyError(e)
    // The session died under us (revoked elsewhere, refresh token expired): say so everywhere.
    if (error.code === 'NotSignedIn' && this.session.username) {
      this.forget()
      this.setUser(null, 'sessionLost')
    }
    if (error.code === 'InvalidPassword') {
      const policy = this.config.passwordPolicy ?? COGNITO_DEFAULT_PASSWORD_POLICY
      throw new WhimsyError('InvalidPassword', `${error.message} ${describePasswordPolicy(policy)}`, { cause: e, status: error.status })
    }
    throw error
  }
}
