/**
 * `whimsy.profile`: a user's public profile, a JSON document in their public folder
 * (`<identityId>/public/whimsy.space/profile.json`). Anyone reads it through the user-sites
 * domain (`https://<handle>.whimsy.space/whimsy.space/profile.json`, served with CORS) without
 * signing in; only its owner writes it. The document's shape is `schema.ts`.
 */
import { checkHandle, normalizeHandle } from '@whimsy/sites/handles'
import { abortedError, checkNotAborted } from '../abort.js'
import { checkArgument, checkOptions, is, isPlainObject } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import { fetchSite } from '../sites/site-urls.js'
import { GetObjectCommand, PutObjectCommand } from '../transport/s3/objects.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { checkProfile, type Profile } from './schema.js'

export type { Profile, ProfileLink } from './schema.js'
export { PROFILE_LIMITS } from './schema.js'

/** Where the profile lives, under the user's public folder (and so on their site). */
export const PROFILE_PATH = 'whimsy.space/profile.json'

/** A profile document is a few kilobytes at most; anything much larger is not one. */
const MAX_DOCUMENT_BYTES = 64 * 1024

/** Every `profile` call takes a `signal`: aborted, it rejects with `Aborted` (at once if already aborted). */
export interface ProfileCallOptions {
  signal?: AbortSignal
}

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
    const own = handleOrOptions === undefined || isPlainObject(handleOrOptions)
    const { signal } = checkOptions<ProfileCallOptions>('profile.get', own && handleOrOptions !== undefined ? handleOrOptions : options, { signal: is.signal })
    if (own) {
      checkNotAborted('profile.get', signal)
      return this.own(signal)
    }
    const name = normalizeHandle(checkArgument('profile.get', 'handle', handleOrOptions, is.string))
    const check = checkHandle(name)
    if (!check.ok) throw new WhimsyError('InvalidHandle', `${check.reason}.`)
    checkNotAborted('profile.get', signal)
    let response: Response
    try {
      response = await fetchSite(this.ctx.config, name, `/${PROFILE_PATH}`, { signal: signal ?? null })
    } catch (e) {
      if (signal?.aborted) throw abortedError('profile.get', signal)
      throw toWhimsyError(e, `the profile of ${name}`)
    }
    if (response.status === 404) {
      await response.body?.cancel()
      return null
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw toWhimsyError(Object.assign(new Error(`The site answered ${response.status}`), { statusCode: response.status }), `the profile of ${name}`)
    }
    // Anyone can put any file there: read at most a profile's worth, never a hostile 20 MB.
    const declared = Number(response.headers.get('content-length') ?? 0)
    if (declared > MAX_DOCUMENT_BYTES) {
      await response.body?.cancel()
      return null
    }
    let text: string | undefined
    try {
      text = await readAtMost(response, MAX_DOCUMENT_BYTES)
    } catch (e) {
      if (signal?.aborted) throw abortedError('profile.get', signal)
      throw toWhimsyError(e, `the profile of ${name}`)
    }
    return text === undefined ? null : parse(text)
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
      return parse(text)
    } catch (e) {
      if (signal?.aborted) throw abortedError('profile.get', signal)
      const err = toWhimsyError(e, 'your profile')
      if (err.code === 'NotFound') return null
      throw err
    }
  }
}

/** The body as text, or undefined when it is longer than `limit` bytes (then cancelled). */
async function readAtMost(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function parse(text: string): Profile | null {
  if (text.length > MAX_DOCUMENT_BYTES) return null
  try {
    return checkProfile(JSON.parse(text))
  } catch {
    return null
  }
}
