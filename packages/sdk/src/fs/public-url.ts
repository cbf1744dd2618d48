/**
 * `fs.publicUrl`: synchronous and free of network code, so the lazily loaded `fs` facade can
 * answer it before the files code has loaded (see lazy-noun.ts).
 */
import type { Auth } from '../auth/auth.js'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import { type FileRef, placeOf, sitePathOf } from '../paths.js'
import { objectUrl, siteUrl } from '../sites/site-urls.js'

export function publicUrlOf(ctx: { config: WhimsyConfig; auth: Pick<Auth, 'user'> }, path: string | FileRef): string {
  const user = ctx.auth.user
  if (!user) throw new WhimsyError('NotSignedIn', 'Sign in first.')
  const place = placeOf(user.identityId, path)
  const sitePath = sitePathOf(place.path)
  if (user.handle) return siteUrl(ctx.config, user.handle, sitePath)
  return objectUrl(ctx.config, place.path === '/public' || !place.file ? `${place.folder}index.html` : place.file)
}
