/**
 * `profile.avatarUrl`: the address an `<img>` shows a profile's avatar from. An avatar is an
 * `https:` address or a file in the owner's public folder (`/public/me.png`), which is served
 * on their site — so the address needs the owner's handle, which the document does not hold.
 * Synchronous and free of network code, so the facade answers it without loading the profile code.
 */
import { normalizeHandle } from '@whimsy/sites/handles'
import { checkArgument, is } from '../args.js'
import type { Auth } from '../auth/auth.js'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import { objectUrl, siteUrl } from '../sites/site-urls.js'
import type { Profile } from './schema.js'

const PUBLIC = '/public/'

export function avatarUrlOf(ctx: { config: WhimsyConfig; auth: Pick<Auth, 'user'> }, profile: Profile | null | undefined, handle?: string): string | null {
  if (profile !== null && profile !== undefined) checkArgument('profile.avatarUrl', 'profile', profile, is.object)
  if (handle !== undefined) checkArgument('profile.avatarUrl', 'handle', handle, is.string)
  const avatar = profile?.avatar
  if (typeof avatar !== 'string' || avatar === '') return null
  if (!avatar.startsWith(PUBLIC)) return isHttps(avatar) ? avatar : null
  const sitePath = avatar.slice(PUBLIC.length - 1)
  if (handle !== undefined) return siteUrl(ctx.config, normalizeHandle(handle), sitePath)
  const user = ctx.auth.user
  if (user?.handle) return siteUrl(ctx.config, user.handle, sitePath)
  // The user's own avatar before they have a handle: the bucket's address, as fs.publicUrl gives it.
  if (user) return objectUrl(ctx.config, `${user.identityId}${avatar}`)
  throw new WhimsyError('InvalidHandle', "profile.avatarUrl: pass the handle of the profile's owner; the avatar is a file on their site.")
}

/** Only `https:` addresses: a document read from anyone's site must not put `javascript:` into an `<img>`. */
function isHttps(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:'
  } catch {
    return false
  }
}
