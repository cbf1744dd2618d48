/**
 * The public profile document and its checks, pure. Written by hand rather than with a schema
 * library: four fields with sizes are a page of code, where zod or valibot would add a
 * dependency (and kilobytes to every app's bundle) for the same result. Every message names
 * the field, so an app can show it next to the input.
 *
 * The same check runs on write (`profile.set`) and on read (`profile.get`): a profile.json put
 * into a public folder by other means is only trusted once it passes.
 */
import { WhimsyError } from '../errors.js'

/** A link on a profile. */
export interface ProfileLink {
  /** 1–64 characters, e.g. `'Blog'`. */
  title: string
  /** An `https:` (or `http:`) address, up to 2,048 characters. */
  url: string
}

/** A user's public profile; every field is optional. */
export interface Profile {
  /** 1–64 characters. */
  displayName?: string
  /** Up to 1,000 characters; line breaks allowed. */
  bio?: string
  /**
   * A picture: a file in the user's public folder (`'/public/me.png'`, served at
   * `sites.url('/me.png')`) or an `https:` address. Up to 1,024 characters.
   */
  avatar?: string
  /** Up to 10 links. */
  links?: ProfileLink[]
}

export const PROFILE_LIMITS = {
  displayName: 64,
  bio: 1000,
  avatar: 1024,
  links: 10,
  linkTitle: 64,
  linkUrl: 2048,
} as const

const FIELDS = ['displayName', 'bio', 'avatar', 'links'] as const
const LINK_FIELDS = ['title', 'url'] as const

/**
 * Control characters other than tab and line breaks, and the invisible ones that spoof names:
 * zero-width (U+200B–U+200F, U+2060, U+FEFF), bidi overrides and isolates (U+202A–E, U+2066–9).
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/
/** Anything but a line: no control (or invisible) character at all. */
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/

/**
 * Checks a profile and returns a clean copy (fields in a fixed order, strings trimmed).
 * Throws `InvalidInput` naming the first field at fault.
 * @example
 * checkProfile({ displayName: 'Daniel', links: [{ title: 'Blog', url: 'https://danielx.net' }] })
 */
export function checkProfile(input: unknown): Profile {
  if (!isPlainObject(input)) throw invalid('profile', 'is an object such as { displayName, bio, avatar, links }')
  for (const key of Object.keys(input))
    if (!(FIELDS as readonly string[]).includes(key)) throw invalid(key, `is not a profile field; the fields are ${FIELDS.join(', ')}`)
  const out: Profile = {}
  if (input.displayName !== undefined) out.displayName = line(input.displayName, 'displayName', PROFILE_LIMITS.displayName)
  if (input.bio !== undefined) out.bio = text(input.bio, 'bio', PROFILE_LIMITS.bio)
  if (input.avatar !== undefined) out.avatar = avatar(input.avatar)
  if (input.links !== undefined) out.links = links(input.links)
  return out
}

function line(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') throw invalid(field, 'is text')
  const s = v.trim()
  if (s.length === 0) throw invalid(field, 'is empty; leave it out instead')
  if (ANY_CONTROL.test(s)) throw invalid(field, 'is one line without control characters')
  if ([...s].length > max) throw invalid(field, `is at most ${max} characters (got ${[...s].length})`)
  return s
}

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') throw invalid(field, 'is text')
  const s = v.trim()
  if (CONTROL.test(s)) throw invalid(field, 'has control characters')
  if ([...s].length > max) throw invalid(field, `is at most ${max.toLocaleString('en')} characters (got ${[...s].length.toLocaleString('en')})`)
  return s
}

function avatar(v: unknown): string {
  if (typeof v !== 'string') throw invalid('avatar', 'is a path such as /public/me.png or an https: address')
  const s = v.trim()
  if (s.length > PROFILE_LIMITS.avatar) throw invalid('avatar', `is at most ${PROFILE_LIMITS.avatar.toLocaleString('en')} characters`)
  if (s.startsWith('/')) {
    const segments = s.slice(1).split('/')
    const ok =
      segments[0] === 'public' &&
      segments.length >= 2 &&
      segments.every((seg) => seg !== '' && seg !== '.' && seg !== '..') &&
      !/[\\?#%]/.test(s) &&
      !ANY_CONTROL.test(s)
    if (!ok) throw invalid('avatar', 'is a file in your public folder, such as /public/me.png (no empty, "." or ".." segments, no %-escapes)')
    return s
  }
  return url(s, 'avatar', ['https:'])
}

function links(v: unknown): ProfileLink[] {
  if (!Array.isArray(v)) throw invalid('links', 'is a list of { title, url }')
  if (v.length > PROFILE_LIMITS.links) throw invalid('links', `has at most ${PROFILE_LIMITS.links} entries (got ${v.length})`)
  return v.map((link, i) => {
    const at = `links[${i}]`
    if (!isPlainObject(link)) throw invalid(at, 'is { title, url }')
    for (const key of Object.keys(link))
      if (!(LINK_FIELDS as readonly string[]).includes(key)) throw invalid(`${at}.${key}`, 'is not a link field; a link is { title, url }')
    if (link.title === undefined) throw invalid(`${at}.title`, 'is missing')
    if (link.url === undefined) throw invalid(`${at}.url`, 'is missing')
    return { title: line(link.title, `${at}.title`, PROFILE_LIMITS.linkTitle), url: url(link.url, `${at}.url`, ['https:', 'http:']) }
  })
}

function url(v: unknown, field: string, protocols: string[]): string {
  if (typeof v !== 'string') throw invalid(field, 'is an address')
  const s = v.trim()
  if (s.length > PROFILE_LIMITS.linkUrl) throw invalid(field, `is at most ${PROFILE_LIMITS.linkUrl.toLocaleString('en')} characters`)
  let parsed: URL
  try {
    parsed = new URL(s)
  } catch {
    throw invalid(field, `is not an address (${protocols.join(' or ')}//…)`)
  }
  // No javascript:, data: or file: — a profile is shown by other people's apps.
  if (!protocols.includes(parsed.protocol) || ANY_CONTROL.test(s)) throw invalid(field, `is an ${protocols.join(' or ')} address`)
  if (parsed.username || parsed.password) throw invalid(field, 'must not carry a user name or password')
  // "https:evil.example/a" parses, but as an href it is a path on the page that shows it.
  if (!s.toLowerCase().startsWith(`${parsed.protocol}//`)) throw invalid(field, `is a full address (${protocols.join(' or ')}//…)`)
  return s
}

function invalid(field: string, reason: string): WhimsyError {
  return new WhimsyError('InvalidInput', field === 'profile' ? `A profile ${reason}.` : `profile.${field} ${reason}.`)
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}
