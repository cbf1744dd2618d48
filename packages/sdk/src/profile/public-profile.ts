/**
 * Reading anyone's profile by handle: a plain `fetch` of `/whimsy.space/profile.json` on their
 * site, no session and no S3 client — the part of `whimsy.profile` a visitor's page needs, so
 * the facade loads only this for `profile.get(handle)` (see whimsy.ts).
 */
import { checkHandle, normalizeHandle } from '@whimsy/sites/handles'
import { abortedError, checkNotAborted } from '../abort.js'
import { checkArgument, checkOptions, is } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import { fetchSite } from '../sites/site-urls.js'
import type { ProfileCallOptions } from './call-options.js'
import { checkProfile, type Profile } from './schema.js'

/** Where the profile lives, under the user's public folder (and so on their site). */
export const PROFILE_PATH = 'whimsy.space/profile.json'

/** A profile document is a few kilobytes at most; anything much larger is not one. */
const MAX_DOCUMENT_BYTES = 64 * 1024

/** `profile.get(handle)`: `null` when there is none, the handle is unclaimed, or the document does not pass the checks. */
export async function readPublicProfile(config: WhimsyConfig, handle: unknown, options?: unknown): Promise<Profile | null> {
  const { signal } = checkOptions<ProfileCallOptions>('profile.get', options, { signal: is.signal })
  const name = normalizeHandle(checkArgument('profile.get', 'handle', handle, is.string))
  const check = checkHandle(name)
  if (!check.ok) throw new WhimsyError('InvalidHandle', `${check.reason}.`)
  checkNotAborted('profile.get', signal)
  let response: Response
  try {
    response = await fetchSite(config, name, `/${PROFILE_PATH}`, { signal: signal ?? null })
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
  return text === undefined ? null : parseProfile(text)
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

/** A profile document's text as a checked profile, or null when it is not one. */
export function parseProfile(text: string): Profile | null {
  if (text.length > MAX_DOCUMENT_BYTES) return null
  try {
    return checkProfile(JSON.parse(text))
  } catch {
    return null
  }
}
