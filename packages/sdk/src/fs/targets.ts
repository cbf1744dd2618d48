/** Where an `fs` verb acts: its path or entry resolved to keys, checked before any request. */
import { WhimsyError } from '../errors.js'
import { type FileRef, type Place, placeOf, printable } from '../paths.js'
import type { WhimsyContext } from '../whimsy-context.js'

/**
 * The place a verb acts on, checked before any request. `create`: the verb makes a name, so
 * only a path string (which follows the naming rules) will do, never an exact key.
 */
export async function target(ctx: WhimsyContext, input: string | FileRef, use: 'existing' | 'create' = 'existing'): Promise<Place> {
  precheck(ctx, input, use)
  const { identityId } = await ctx.auth.credentials()
  return placeOf(identityId, input)
}

/** The checks of `target` that need no request, for verbs that must make them all first. */
export function precheck(ctx: WhimsyContext, input: string | FileRef, use: 'existing' | 'create' = 'existing'): void {
  if (use === 'create' && typeof input !== 'string')
    throw new WhimsyError('InvalidPath', 'A new name is given as a path string, which is checked by the naming rules; entries only name what already exists.')
  // Checked before the network, but the rules need the identityId: use the known one.
  const known = ctx.auth.user?.identityId
  if (known || typeof input === 'string') placeOf(known ?? 'us-east-1:00000000-0000-0000-0000-000000000000', input)
}

/** The user's root: no file, and removing, copying or moving it is refused. */
export function isRoot(place: Place): boolean {
  return place.folder === `${place.id}/`
}

/** How messages name what a caller passed (before it is resolved, or when it failed to be). */
export function labelOf(input: string | FileRef): string {
  // A key is `<identityId>/…` and identity ids have no "/": the rest is the user's path.
  return printable(typeof input === 'string' ? input : input.key.slice(input.key.indexOf('/')))
}
