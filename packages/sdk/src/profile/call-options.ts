/**
 * How `profile` calls read their arguments: synchronous and free of network code, so the lazily
 * loaded facade (whimsy.ts) can tell a visitor's read of anyone's profile from a read of the
 * user's own before it loads anything.
 */
import { isPlainObject } from '../args.js'

/** Every `profile` call takes a `signal`: aborted, it rejects with `Aborted` (at once if already aborted). */
export interface ProfileCallOptions {
  signal?: AbortSignal
}

/** `profile.get()` and `profile.get({ signal })` read the user's own; anything else names a handle (checked where it is read). */
export function isOwnProfile(handleOrOptions: unknown): handleOrOptions is ProfileCallOptions | undefined {
  return handleOrOptions === undefined || isPlainObject(handleOrOptions)
}
