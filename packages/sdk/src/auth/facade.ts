/**
 * `whimsy.auth` before the sign-in code has loaded (issue 12): the user-pool library and the
 * identity exchange are a chunk of their own, loaded at once when this device holds a session
 * to restore, else on the first call that needs them. A signed-out page loads neither until
 * someone signs in or up.
 *
 * Answered here without loading: `user`, `ready`, `onChange`. The account calls in
 * AUTH_METHODS are forwarded (see lazy-noun.ts); nothing else is a member. The session's
 * plumbing (credentials, ID token, handle updates) is registered in session-access.ts, where
 * the credential calls reject with `NotSignedIn` while no session can exist, as the loaded
 * code would.
 */
import { checkArgument, is } from '../args.js'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import { lazyNoun } from '../lazy-noun.js'
import type { SessionStorage } from '../storage.js'
import type { Auth, AuthChange, WhimsyUser } from './auth.js'
import type { ScopedCredentials } from './credentials.js'
import { registerSession, sessionOf } from './session-access.js'

type Listener = (user: WhimsyUser | null, change: AuthChange) => void

/**
 * `load(adopt)` imports and builds the real `Auth`, and hands it to `adopt` as soon as it is
 * constructed: listeners must be attached before its session restore can report.
 */
export function authFacade(config: WhimsyConfig, storage: SessionStorage, load: (adopt: (auth: Auth) => Auth) => Promise<Auth>): Auth {
  let impl: Auth | undefined
  let loading: Promise<Auth> | undefined
  const listeners = new Map<Listener, (() => void) | undefined>()
  const adopt = (auth: Auth): Auth => {
    impl = auth
    for (const listener of listeners.keys()) listeners.set(listener, auth.onChange(listener))
    return auth
  }
  const loadAuth = () => {
    loading ??= load(adopt)
    loading.catch(() => {
      loading = undefined
    })
    return loading
  }
  // amazon-cognito-identity-js's record of who last signed in on this device: a session to restore.
  const stored = storage.getItem(`CognitoIdentityServiceProvider.${config.userPoolClientId}.LastAuthUser`)
  // Never rejects, as Auth's own restore never does: an app that does not await `ready` must not
  // get an unhandled rejection when the sign-in code cannot load (offline); calls retry the load.
  const ready: Promise<WhimsyUser | null> = stored
    ? loadAuth().then(
        (auth) => auth.ready,
        () => null,
      )
    : Promise.resolve(null)
  // Without a session nothing has credentials: no need to load the sign-in code to say so.
  const whileSignedOut =
    <A extends unknown[], R>(method: (auth: Auth, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (!loading) throw new WhimsyError('NotSignedIn', 'Sign in first.')
      return method(await loadAuth(), ...args)
    }

  const facade = lazyNoun<Auth>(
    'auth',
    loadAuth,
    () => ({
      get user(): WhimsyUser | null {
        return impl?.user ?? null
      },
      ready,
      onChange(listener: Listener): () => void {
        checkArgument('auth.onChange', 'listener', listener, is.function)
        listeners.set(listener, impl?.onChange(listener))
        return () => {
          listeners.get(listener)?.()
          listeners.delete(listener)
        }
      },
    }),
    AUTH_METHODS,
  )
  // The plumbing, answered here as `Auth`'s own is once loaded, but reachable only through
  // session-access.ts: never a member of `whimsy.auth`.
  const provider = (async () => sessionOf(await loadAuth()).credentialProvider()()) as (() => Promise<ScopedCredentials>) & { memoized?: boolean }
  // As CredentialCache.provider(): AWS clients ask on every call, so refreshes reach them.
  provider.memoized = true
  registerSession(facade, {
    credentials: whileSignedOut(async (auth) => sessionOf(auth).credentials()),
    refreshCredentials: whileSignedOut(async (auth) => sessionOf(auth).refreshCredentials()),
    withCredentials: whileSignedOut(<T>(auth: Auth, call: (credentials: ScopedCredentials) => Promise<T>) => sessionOf(auth).withCredentials(call)),
    idToken: whileSignedOut(async (auth) => sessionOf(auth).idToken()),
    credentialProvider: () => provider,
    update: (fields) => {
      if (impl) sessionOf(impl).update(fields)
    },
    sessionLost: () => {
      if (impl) sessionOf(impl).sessionLost()
    },
  })
  return facade
}

/** What `whimsy.auth` forwards to the loaded `Auth` (facade.test.ts checks each one is a method there). */
export const AUTH_METHODS: ReadonlySet<string> = new Set([
  'signUp',
  'confirmSignUp',
  'resendCode',
  'signIn',
  'signOut',
  'forgotPassword',
  'confirmNewPassword',
  'changePassword',
  'deleteAccount',
])
