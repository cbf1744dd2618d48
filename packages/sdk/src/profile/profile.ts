/**
 * `whimsy.profile`: a user's public profile, a JSON document in their public folder
 * (`<identityId>/public/whimsy.space/profile.json`). Anyone reads it through the user-sites
 * domain (`https://<handle>.whimsy.space/whimsy.space/profile.json`, served with CORS) without
 * signing in; only its owner writes it. The document's shape is `schema.ts`; reading anyone's
 * is `public-profile.ts`, which a visitor's page loads without this file or any S3 code.
 */

import { abortedError, checkNotAborted } from '../abort.js'
import { checkOptions, is } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import { GetObjectCommand, PutObjectCommand } from '../transport/s3/objects.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { avatarUrlOf } from './avatar-url.js'
import { isOwnProfile, type ProfileCallOptions } from './call-options.js'
import { PROFILE_PATH, parseProfile, readPublicProfile } from './public-profile.js'
import { checkProfile, type Profile } from './schema.js'

export type { ProfileCallOptions } from './call-options.js'
export { PROFILE_PATH } from './public-profile.js'
export type { Profile, ProfileLink } from './schema.js'
export { PROFILE_LIMITS } from './schema.js'

export class Profiles {
  /** @internal Built by `createWhimsy`. */
  constructor(private readonly ctx: WhimsyContext) {}

  /**
   * Reads a profile: anyone's by handle (no sign-in needed), or the signed-in user's own
   * without one. `null` when there is none, the handle is unclaimed, or the document there
   * does not pass the profile checks.
   * @example
   * const profile = await whimsy.profile.get('danielx') // { displayName: 'Daniel', … } or null
   * const mine = await whimsy.profile.get()
   * const theirs = await whimsy.profile.get('danielx', { signal }) // or profile.get({ signal }) for your own
   */
  get(handle?: string, options?: ProfileCallOptions): Promise<Profile | null>
  get(options: ProfileCallOptions): Promise<Profile | null>
  async get(handleOrOptions?: string | ProfileCallOptions, options?: ProfileCallOptions): Promise<Profile | null> {
    if (!isOwnProfile(handleOrOptions)) return readPublicProfile(this.ctx.config, handleOrOptions, options)
    const { signal } = checkOptions<ProfileCallOptions>('profile.get', handleOrOptions ?? options, { signal: is.signal })
    checkNotAborted('profile.get', signal)
    return this.own(signal)
  }

  /**
   * The address to show a profile's avatar from, or `null` when it has none. A file in the
   * owner's public folder (`/public/me.png`) is served on their site, so give the owner's handle
   * for anyone's profile; without one it is the signed-in user's own. Answered at once, no request.
   * @example
   * const card = await whimsy.profile.get('danielx')
   * img.src = whimsy.profile.avatarUrl(card, 'danielx') ?? '/placeholder.png'
   * whimsy.profile.avatarUrl(await whimsy.profile.get()) // your own
   */
  avatarUrl(profile: Profile | null | undefined, handle?: string): string | null {
    return avatarUrlOf(this.ctx, profile, handle)
  }

  /**
   * Checks and publishes the signed-in user's profile, replacing the old one. Unknown fields
   * and oversized ones are refused with `InvalidInput` naming the field. Resolves to the
   * profile as stored (strings trimmed).
   * @example
   * await whimsy.profile.set({
   *   displayName: 'Daniel',
   *   bio: 'I make zines.',
   *   avatar: '/public/me.png',
   *   links: [{ title: 'Blog', url: 'https://danielx.net' }],
   * })
   */
  async set(profile: Profile, options?: ProfileCallOptions): Promise<Profile> {
    const clean = checkProfile(profile)
    const { signal } = checkOptions<ProfileCallOptions>('profile.set', options, { signal: is.signal })
    checkNotAborted('profile.set', signal)
    try {
      await this.ctx.auth.withCredentials(({ identityId }) =>
        // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
        this.ctx.s3.send(
          new PutObjectCommand({
            Bucket: this.ctx.config.bucket,
            Key: `${identityId}/public/${PROFILE_PATH}`,
            Body: JSON.stringify(clean),
            ContentType: 'application/json',
            // Revalidated on every read, so a change shows at once rather than after a cache's minute.
            CacheControl: 'public, no-cache',
          }),
          { abortSignal: signal },
        ),
      )
    } catch (e) {
      if (signal?.aborted) throw abortedError('profile.set', signal)
      throw toWhimsyError(e, 'your profile')
    }
    return clean
  }

  /** The signed-in user's own profile, read with their credentials (no handle needed). */
  private async own(signal: AbortSignal | undefined): Promise<Profile | null> {
    try {
      const text = await this.ctx.auth.withCredentials(async ({ identityId }) => {
        // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
        const out = await this.ctx.s3.send(new GetObjectCommand({ Bucket: this.ctx.config.bucket, Key: `${identityId}/public/${PROFILE_PATH}` }), {
          abortSignal: signal,
        })
        return (await out.Body?.transformToString('utf-8')) ?? ''
      })
      return parseProfile(text)
    } catch (e) {
      if (signal?.aborted) throw abortedError('profile.get', signal)
      const err = toWhimsyError(e, 'your profile')
      if (err.code === 'NotFound') return null
      throw err
    }
  }
}
