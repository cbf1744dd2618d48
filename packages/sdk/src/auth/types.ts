/** The public shapes of `whimsy.auth`, and what `createWhimsy` hands the loaded `Auth`. */
import type { WhimsyConfig } from '../config.js'
import type { SessionStorage } from '../storage.js'
import type { CognitoCall } from './cognito-api.js'
import type { Session } from './session.js'

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

/** The last argument of every auth call. */
export interface AuthCallOptions {
  /** Cancels the call (`Aborted`); nothing is half-done on this device. */
  signal?: AbortSignal
}

export interface AuthDependencies {
  config: WhimsyConfig
  storage: SessionStorage
  session: Session
  call?: CognitoCall
  /** Looks up the user's handle; failures mean "unknown", never a failed sign-in. */
  lookupHandle: (idToken: string) => Promise<string | undefined>
  /** Deletes everything the user owns (files, key-value data, handle) before the account goes. */
  deleteUserData: () => Promise<void>
}
