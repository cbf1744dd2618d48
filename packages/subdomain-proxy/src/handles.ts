/**
 * What a handle may be — the one rule shared by the SDK, the claim function and the proxy.
 * A handle is the first label of a user's site host (`danielx` in `danielx.whimsy.space`), so it
 * is a DNS label: lowercase letters, digits and hyphens, 1–63 characters, no leading or trailing
 * hyphen, not a reserved name.
 *
 * This module has no dependencies: the browser SDK imports it as `@whimsy/sites/handles`.
 *
 * Case: `checkHandle` is exact — `DanielX` is refused with a reason that says so. Callers that
 * want to be lenient with what people type call `normalizeHandle` first (the proxy does, since
 * DNS host names are case-insensitive; the claim API does not, so a stored handle is always the
 * one the caller sent).
 */

/**
 * Names no user may claim: the project's own hosts and apps, infrastructure labels, the
 * mailbox names RFC 2142 reserves, and words that would let a page pose as the service.
 */
export const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  // the brief's list and the app's own names
  'www',
  'api',
  'app',
  'admin',
  'mail',
  'static',
  'assets',
  'cdn',
  'login',
  'auth',
  'briefcase',
  'whimsy',
  'whimsyspace',
  'whimsy-space',
  'zineos',
  'localhost',
  'sites',
  'site',
  'handles',
  'edge',
  'origin',
  // pages that hold or ask for a session
  'account',
  'accounts',
  'signin',
  'sign-in',
  'signup',
  'sign-up',
  'logout',
  'register',
  'settings',
  'billing',
  'dashboard',
  'console',
  'id',
  'sso',
  'oauth',
  'password',
  // infrastructure and well-known service labels
  'root',
  'administrator',
  'system',
  'status',
  'support',
  'help',
  'docs',
  'blog',
  'dev',
  'staging',
  'test',
  'beta',
  'preview',
  'ns',
  'ns1',
  'ns2',
  'dns',
  'mx',
  'smtp',
  'imap',
  'pop',
  'pop3',
  'ftp',
  'webmail',
  'email',
  'autodiscover',
  'autoconfig',
  'wpad',
  'isatap',
  'mta-sts',
  'media',
  'img',
  'images',
  'files',
  'download',
  'downloads',
  'public',
  'private',
  'aws',
  's3',
  'cognito',
  // RFC 2142 mailbox names
  'abuse',
  'postmaster',
  'hostmaster',
  'webmaster',
  'security',
  'noc',
  'info',
  // values that would read as "nothing"
  'null',
  'undefined',
  'none',
])

export const MAX_HANDLE_LENGTH = 63

export type HandleCheck = { ok: true; handle: string } | { ok: false; reason: string }

/**
 * Whether `input` is a handle someone may hold. Pure and exact: no trimming, no lowercasing.
 * @example
 * checkHandle('danielx') // { ok: true, handle: 'danielx' }
 * checkHandle('www')     // { ok: false, reason: '"www" is reserved' }
 */
export function checkHandle(input: unknown): HandleCheck {
  if (typeof input !== 'string') return { ok: false, reason: 'A handle must be a string' }
  if (input.length === 0) return { ok: false, reason: 'A handle cannot be empty' }
  if (input.length > MAX_HANDLE_LENGTH) return { ok: false, reason: `A handle has at most ${MAX_HANDLE_LENGTH} characters` }
  if (/[A-Z]/.test(input)) return { ok: false, reason: 'A handle is lowercase: use lowercase letters' }
  if (!/^[a-z0-9-]+$/.test(input)) return { ok: false, reason: 'A handle may contain only letters a–z, digits and hyphens' }
  if (input.startsWith('-') || input.endsWith('-')) return { ok: false, reason: 'A handle cannot start or end with a hyphen' }
  // `xn--` and friends: hyphens in the third and fourth places mark an internationalised
  // (punycode) label, which a browser may show as different, look-alike letters.
  if (input.slice(2, 4) === '--') return { ok: false, reason: 'A handle cannot have hyphens as its third and fourth characters' }
  if (RESERVED_HANDLES.has(input)) return { ok: false, reason: `"${input}" is reserved` }
  return { ok: true, handle: input }
}

/** `checkHandle(x).ok`, for filters and guards. */
export function isValidHandle(input: unknown): input is string {
  return checkHandle(input).ok
}

/**
 * What people type, made into a handle candidate: trimmed and lowercased. Check the result
 * with `checkHandle`.
 * @example
 * checkHandle(normalizeHandle(' DanielX ')) // { ok: true, handle: 'danielx' }
 */
export function normalizeHandle(input: string): string {
  return input.trim().toLowerCase()
}
