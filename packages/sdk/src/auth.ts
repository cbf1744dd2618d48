/**
 * Accounts and sessions: sign up, confirm, sign in (SRP on AWS, the password flow where the
 * config says so), sign out here or everywhere, reset and change the password, delete the
 * account, and restore the session on page load. Tokens live in the `storage` given to
 * `createWhimsy` (localStorage in the browser); AWS credentials come from the identity pool
 * through `credentials.ts`.
 */
import './global-shim.js'
import {
  AuthenticationDetails,
  type CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type CognitoUserSession,
  type ISignUpResult,
  CognitoUser as User,
} from 'amazon-cognito-identity-js'
import { checkArgument, checkInput, checkOptions, is } from './args.js'
import { toWhimsyError } from './aws-errors.js'
import { COGNITO_DEFAULT_PASSWORD_POLICY, type WhimsyConfig } from './config.js'
import { CredentialCache, isExpiredCredentialsError, type ScopedCredentials } from './credentials.js'
import { WhimsyError } from './errors.js'
import { describePasswordPolicy, joinPhrases, passwordProblems } from './password-policy.js'
import type { SessionStorage } from './storage.js'

/** The signed-in user. */
export interface WhimsyUser {
  username: string
  email?: string
  /** The user's identity-pool id (`region:uuid`): the owner of their files and data. */
  identityId: string
  /** Their site's handle (`<handle>.whimsy.space`), once claimed. */
  handle?: string
}

/** Why `onChange` listeners were called. */
export type AuthChange = 'signIn' | 'signOut' | 'restored' | 'sessionLost' | 'updated'

/** Diagnostics, for logs and tests: what the SDK fetched and why. */
export type WhimsyEvent =
  | { type: 'credentials'; identityId: string; expiration: Date; forced: boolean }
  | { type: 'tokensRefreshed'; username: string }
  | { type: 'retryExpiredCredentials'; error: string }

export interface AuthDependencies {
  config: WhimsyConfig
  storage: SessionStorage
  /** Exchanges an ID token for identity-pool credentials (`fromCognitoIdentityPool`). */
  exchangeToken: (idToken: string) => Promise<ScopedCredentials>
  /** Looks up the user's handle; failures mean "unknown", never a failed sign-in. */
  lookupHandle: (idToken: string) => Promise<string | undefined>
  /** Deletes everything the user owns (files, key-value data, handle) before the account goes. */
  deleteUserData: () => Promise<void>
  onEvent?: (event: WhimsyEvent) => void
}

const USER_KEY = 'whimsy.user'

export class Auth {
  private readonly pool: CognitoUserPool
  private readonly config: WhimsyConfig
  private readonly storage: SessionStorage
  private readonly listeners = new Set<(user: WhimsyUser | null, change: AuthChange) => void>()
  private readonly cache: CredentialCache
  private current: WhimsyUser | null = null
  private cognitoUser: CognitoUser | null = null
  /** Bumped by every sign-in and sign-out, so a slow restore cannot undo them. */
  private epoch = 0
  /** Resolves once a stored session has been restored (or found absent) after construction. */
  readonly ready: Promise<WhimsyUser | null>

  constructor(private readonly deps: AuthDependencies) {
    this.config = deps.config
    this.storage = deps.storage
    this.pool = new CognitoUserPool({
      UserPoolId: this.config.userPoolId,
      ClientId: this.config.userPoolClientId,
      endpoint: this.config.endpoints?.cognitoIdentityProvider,
      Storage: this.storage,
    })
    this.cache = new CredentialCache((force) => this.fetchCredentials(force))
    this.ready = this.restore()
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
  async signUp(input: { username: string; email: string; password: string }): Promise<{ confirmed: boolean; destination?: string }> {
    checkInput('auth.signUp', input, { username: is.string, email: is.string, password: is.string })
    const username = checkUsername(input.username)
    const email = checkEmail(input.email)
    this.checkPassword(input.password)
    const result = await callback<ISignUpResult>((cb) =>
      this.pool.signUp(username, input.password, [new CognitoUserAttribute({ Name: 'email', Value: email })], [], (err, res) => cb(err, res)),
    ).catch((e) => this.fail(e))
    const delivery = (result as ISignUpResult & { codeDeliveryDetails?: { Destination?: string } }).codeDeliveryDetails
    return { confirmed: result.userConfirmed, destination: delivery?.Destination }
  }

  /**
   * Confirms an account with the e-mailed code.
   * @example
   * await whimsy.auth.confirmSignUp({ username: 'daniel', code: '123456' })
   */
  async confirmSignUp(input: { username: string; code: string }): Promise<void> {
    checkInput('auth.confirmSignUp', input, { username: is.string, code: is.string })
    const user = this.userFor(checkUsername(input.username))
    const code = checkCode(input.code)
    // forceAliasCreation false: confirming must never take an e-mail alias from another account.
    await callback((cb) => user.confirmRegistration(code, false, cb)).catch((e) => this.fail(e))
  }

  /**
   * Sends a new confirmation code.
   * @example
   * await whimsy.auth.resendCode({ username: 'daniel' })
   */
  async resendCode(input: { username: string }): Promise<{ destination?: string }> {
    checkInput('auth.resendCode', input, { username: is.string })
    const user = this.userFor(checkUsername(input.username))
    const result = await callback<{ CodeDeliveryDetails?: { Destination?: string } }>((cb) => user.resendConfirmationCode(cb)).catch((e) => this.fail(e))
    return { destination: result?.CodeDeliveryDetails?.Destination }
  }

  /**
   * Signs in and fetches the user's scoped credentials. Resolves to the user.
   * @example
   * const user = await whimsy.auth.signIn({ username: 'daniel', password })
   * console.log(user.identityId)
   */
  async signIn(input: { username: string; password: string }): Promise<WhimsyUser> {
    checkInput('auth.signIn', input, { username: is.string, password: is.string })
    const username = checkUsername(input.username)
    if (!input.password) throw new WhimsyError('InvalidInput', 'Enter your password.')
    const user = await this.authenticate(username, input.password)
    this.epoch++
    // Another user was signed in on this device: their tokens go, not just their credentials.
    if (this.cognitoUser && this.cognitoUser.getUsername() !== username) this.cognitoUser.signOut()
    this.cache.clear()
    this.cognitoUser = user
    const signedIn = await this.loadUser(user).catch((e) => {
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
  async signOut(options: { everywhere?: boolean } = {}): Promise<void> {
    checkOptions('auth.signOut', options, { everywhere: is.boolean })
    const user = this.cognitoUser
    if (!user) return
    this.epoch++
    if (options.everywhere) {
      try {
        // globalSignOut needs a valid session loaded on the user: refresh the tokens if needed.
        await this.session(false)
        await new Promise<void>((resolve, reject) => {
          user.globalSignOut({ onSuccess: () => resolve(), onFailure: reject })
        })
      } catch (e) {
        const error = toWhimsyError(e)
        // Already signed out everywhere (from another device): what was asked is done.
        if (error.code !== 'NotSignedIn' && error.code !== 'NotAuthorized') throw error
      }
    } else {
      // Revoke this device's refresh token so a copy of it is worthless; best effort, since
      // signing out must work offline too. Sent through the pool's client directly: the
      // library's own revokeTokens() only acts on tokens carrying `origin_jti`, which tokens
      // from pools made before token revocation existed (and the local emulator's) lack.
      const refreshToken = user.getSignInUserSession()?.getRefreshToken().getToken()
      if (refreshToken) {
        await callback((cb) =>
          (this.pool as unknown as { client: { request: (op: string, body: unknown, cb: (e: unknown) => void) => void } }).client.request(
            'RevokeToken',
            { Token: refreshToken, ClientId: this.config.userPoolClientId },
            (e) => cb(null, e),
          ),
        ).catch(() => {})
      }
      user.signOut()
    }
    this.forget()
    this.setUser(null, 'signOut')
  }

  /**
   * Starts a password reset: a code is e-mailed.
   * @example
   * await whimsy.auth.forgotPassword({ username: 'daniel' })
   */
  async forgotPassword(input: { username: string }): Promise<{ destination?: string }> {
    checkInput('auth.forgotPassword', input, { username: is.string })
    const user = this.userFor(checkUsername(input.username))
    return new Promise<{ destination?: string }>((resolve, reject) => {
      user.forgotPassword({
        onSuccess: () => resolve({}),
        onFailure: reject,
        inputVerificationCode: (data: { CodeDeliveryDetails?: { Destination?: string } }) => resolve({ destination: data?.CodeDeliveryDetails?.Destination }),
      })
    }).catch((e) => this.fail(e))
  }

  /**
   * Finishes a password reset with the e-mailed code and a new password.
   * @example
   * await whimsy.auth.confirmNewPassword({ username: 'daniel', code: '123456', password: newPassword })
   */
  async confirmNewPassword(input: { username: string; code: string; password: string }): Promise<void> {
    checkInput('auth.confirmNewPassword', input, { username: is.string, code: is.string, password: is.string })
    const user = this.userFor(checkUsername(input.username))
    const code = checkCode(input.code)
    this.checkPassword(input.password)
    await new Promise<void>((resolve, reject) => {
      user.confirmPassword(code, input.password, { onSuccess: () => resolve(), onFailure: reject })
    }).catch((e) => this.fail(e))
  }

  /**
   * Changes the signed-in user's password.
   * @example
   * await whimsy.auth.changePassword({ oldPassword, newPassword })
   */
  async changePassword(input: { oldPassword: string; newPassword: string }): Promise<void> {
    checkInput('auth.changePassword', input, { oldPassword: is.string, newPassword: is.string })
    if (!input.oldPassword) throw new WhimsyError('InvalidInput', 'Enter your current password.')
    const user = this.requireCognitoUser()
    this.checkPassword(input.newPassword)
    await this.session(false).catch((e) => this.fail(e))
    await callback((cb) => user.changePassword(input.oldPassword, input.newPassword, cb)).catch((e) => this.fail(e))
  }

  /**
   * Deletes the account for good: first every file and key-value item, and the handle, then
   * the user. Asks for the password again, so a session left open cannot be used to do it.
   * @example
   * await whimsy.auth.deleteAccount({ password })
   */
  async deleteAccount(input: { password: string }): Promise<void> {
    checkInput('auth.deleteAccount', input, { password: is.string })
    if (!input.password) throw new WhimsyError('InvalidInput', 'Enter your password to delete the account.')
    const current = this.current
    if (!this.cognitoUser || !current) throw notSignedIn()
    // Proves the password and leaves a fresh session for the calls below.
    const confirmed = await this.authenticate(current.username, input.password)
    this.cognitoUser = confirmed
    await this.deps.deleteUserData()
    await callback((cb) => confirmed.deleteUser(cb)).catch((e) => this.fail(e))
    this.forget()
    this.setUser(null, 'signOut')
  }

  /** The current credentials, for the SDK's AWS clients. */
  credentials(): Promise<ScopedCredentials> {
    if (!this.cognitoUser) return Promise.reject(notSignedIn())
    return this.cache.get()
  }

  /** New credentials now (for work that must outlive the current ones, like share links). */
  refreshCredentials(): Promise<ScopedCredentials> {
    if (!this.cognitoUser) return Promise.reject(notSignedIn())
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
      const fresh = await this.cache.refresh(true)
      return call(fresh)
    }
  }

  /** The current ID token (refreshed when needed), for the trusted functions (handles). */
  async idToken(): Promise<string> {
    const session = await this.session(false).catch((e) => this.fail(e))
    return session.getIdToken().getJwtToken()
  }

  /** Updates fields of the signed-in user (the SDK's sites module sets the handle). */
  update(fields: Partial<Pick<WhimsyUser, 'handle'>>): void {
    if (!this.current) return
    this.setUser({ ...this.current, ...fields }, 'updated')
    this.storage.setItem(this.userKey(), JSON.stringify(this.current))
  }

  // ————— internals —————

  private async restore(): Promise<WhimsyUser | null> {
    const user = this.pool.getCurrentUser()
    if (!user) return null
    this.cognitoUser = user
    const epoch = this.epoch
    try {
      await this.session(false)
      const stored = this.storedUser()
      const restored = stored?.username === user.getUsername() ? stored : await this.loadUser(user)
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

  private async authenticate(username: string, password: string): Promise<CognitoUser> {
    const user = this.userFor(username)
    // SRP keeps the password off the wire; the local cloud's emulator has only the password flow.
    user.setAuthenticationFlowType(this.config.authFlow ?? 'USER_SRP_AUTH')
    await new Promise<CognitoUserSession>((resolve, reject) => {
      user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
        onSuccess: resolve,
        onFailure: reject,
        newPasswordRequired: () => reject(new WhimsyError('NotAuthorized', 'This account must set a new password first: use forgotPassword to set one.')),
        mfaRequired: () => reject(new WhimsyError('NotAuthorized', 'This account uses multi-factor sign-in, which the Whimsy SDK does not support yet.')),
        totpRequired: () => reject(new WhimsyError('NotAuthorized', 'This account uses multi-factor sign-in, which the Whimsy SDK does not support yet.')),
      })
    }).catch((e) => this.fail(e))
    return user
  }

  /** The user's identity: credentials (which carry the identityId) and, best effort, the handle. */
  private async loadUser(user: CognitoUser): Promise<WhimsyUser> {
    const session = await this.session(false, user)
    const credentials = await this.cache.get()
    const claims = session.getIdToken().decodePayload() as { email?: string }
    const handle = await this.deps.lookupHandle(session.getIdToken().getJwtToken()).catch(() => undefined)
    const loaded: WhimsyUser = { username: user.getUsername(), identityId: credentials.identityId }
    if (claims.email) loaded.email = claims.email
    if (handle) loaded.handle = handle
    this.storage.setItem(this.userKey(), JSON.stringify(loaded))
    return loaded
  }

  private async fetchCredentials(forceTokenRefresh: boolean): Promise<ScopedCredentials> {
    try {
      const session = await this.session(forceTokenRefresh)
      const credentials = await this.deps.exchangeToken(session.getIdToken().getJwtToken())
      this.deps.onEvent?.({ type: 'credentials', identityId: credentials.identityId, expiration: credentials.expiration, forced: forceTokenRefresh })
      return credentials
    } catch (e) {
      const error = toWhimsyError(e)
      if (error.code === 'NotAuthorized' || error.code === 'NotSignedIn') {
        // Revoked (signed out everywhere) or expired beyond refresh: the session is over.
        // A revoked token needs no second try; an expired one gets a refreshed ID token. (A
        // refused refresh takes amazon-cognito-identity-js about 6 s: it retries with backoff.)
        const revoked = /revoked/i.test(String((e as Error)?.message))
        if (!forceTokenRefresh && !revoked) return this.fetchCredentials(true)
        this.loseSession()
        throw new WhimsyError('NotSignedIn', 'Your session has ended (signed out on another device, or expired). Sign in again.', { cause: e })
      }
      throw error
    }
  }

  /** The user's Cognito session; refreshes the tokens when they have expired or when forced. */
  private session(force: boolean, user = this.cognitoUser): Promise<CognitoUserSession> {
    if (!user) return Promise.reject(notSignedIn())
    return new Promise<CognitoUserSession>((resolve, reject) => {
      user.getSession((err: Error | null, session: CognitoUserSession | null) => {
        if (err || !session) return reject(err ?? notSignedIn())
        if (!force) return resolve(session)
        user.refreshSession(session.getRefreshToken(), (e: unknown, refreshed: CognitoUserSession | null) => {
          if (e || !refreshed) return reject(e ?? notSignedIn())
          this.deps.onEvent?.({ type: 'tokensRefreshed', username: user.getUsername() })
          resolve(refreshed)
        })
      })
    })
  }

  private loseSession(): void {
    if (!this.cognitoUser) return
    this.forget()
    this.setUser(null, 'sessionLost')
  }

  private forget(): void {
    this.cognitoUser?.signOut()
    this.cognitoUser = null
    this.cache.clear()
    this.storage.removeItem(this.userKey())
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

  private userFor(username: string): CognitoUser {
    return new User({ Username: username, Pool: this.pool, Storage: this.storage })
  }

  private requireCognitoUser(): CognitoUser {
    if (!this.cognitoUser) throw notSignedIn()
    return this.cognitoUser
  }

  private checkPassword(password: string): void {
    const policy = this.config.passwordPolicy ?? COGNITO_DEFAULT_PASSWORD_POLICY
    if (typeof password !== 'string' || password === '') throw new WhimsyError('InvalidPassword', `Choose a password. ${describePasswordPolicy(policy)}`)
    const problems = passwordProblems(policy, password)
    if (problems.length > 0) throw new WhimsyError('InvalidPassword', `That password needs ${joinPhrases(problems)}. ${describePasswordPolicy(policy)}`)
  }

  private fail(e: unknown): never {
    const error = toWhimsyError(e)
    // The session died under us (revoked elsewhere, refresh token expired): say so everywhere.
    if (error.code === 'NotSignedIn' && this.cognitoUser) this.loseSession()
    if (error.code === 'InvalidPassword') {
      const policy = this.config.passwordPolicy ?? COGNITO_DEFAULT_PASSWORD_POLICY
      throw new WhimsyError('InvalidPassword', `${error.message} ${describePasswordPolicy(policy)}`, { cause: e, status: error.status })
    }
    throw error
  }
}

function notSignedIn(): WhimsyError {
  return new WhimsyError('NotSignedIn', 'Sign in first.')
}

/** Cognito's username rule: no whitespace, 1–128 characters. */
function checkUsername(username: unknown): string {
  if (typeof username !== 'string' || username.length === 0) throw new WhimsyError('InvalidInput', 'Enter a username.')
  if (/\s/u.test(username)) throw new WhimsyError('InvalidInput', 'A username cannot contain spaces.')
  if ([...username].length > 128) throw new WhimsyError('InvalidInput', 'A username can be at most 128 characters long.')
  return username
}

function checkEmail(email: unknown): string {
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/.test(email))
    throw new WhimsyError('InvalidInput', `"${String(email)}" is not an e-mail address.`)
  return email
}

function checkCode(code: unknown): string {
  if (typeof code !== 'string' || !/^\S{1,32}$/.test(code)) throw new WhimsyError('InvalidInput', 'Enter the code from the e-mail.')
  return code
}

/** Adapts a Node-style callback API to a promise. */
function callback<T = unknown>(start: (cb: (err: unknown, result?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, result) => (err ? reject(err) : resolve(result as T)))
  })
}
