/**
 * The session's plumbing (credentials, ID token, the user's handle), for the SDK's own modules
 * and its tests only. It used to be methods on `whimsy.auth`, where any script on the page could
 * call them (`auth.update({ handle })`, `auth.credentials()`); now it hangs off a WeakMap keyed by
 * the public objects, which only code that imports this module can read (issue 12).
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import type { WhimsyUser } from './auth.js'
import type { ScopedCredentials } from './credentials.js'

export interface SessionAccess {
  /** The current credentials, for the SDK's AWS clients. */
  credentials(): Promise<ScopedCredentials>
  /** New credentials now (for work that must outlive the current ones, like share links). */
  refreshCredentials(): Promise<ScopedCredentials>
  /** An AWS SDK credential provider backed by this session (tests hand it to the AWS clients). */
  credentialProvider(): AwsCredentialIdentityProvider
  /** Runs `call` with the session's credentials, once more with fresh ones if the server says they expired. */
  withCredentials<T>(call: (credentials: ScopedCredentials) => Promise<T>): Promise<T>
  /** The current ID token (refreshed when needed), for the trusted functions (handles, erase). */
  idToken(): Promise<string>
  /** Updates fields of the signed-in user (the sites module sets the handle it claimed). */
  update(fields: Partial<Pick<WhimsyUser, 'handle'>>): void
  /** The session ended under us: say so to every listener. */
  sessionLost(): void
}

const access = new WeakMap<object, SessionAccess>()

export function registerSession(owner: object, session: SessionAccess): void {
  access.set(owner, session)
}

/** The session behind a `Whimsy`, its `auth`, or a loaded `Auth`. */
export function sessionOf(owner: object): SessionAccess {
  const session = access.get(owner)
  if (!session) throw new Error('internal: no Whimsy session behind this object')
  return session
}
