/**
 * The edge rewrite as pure functions: which site a Host names, and which file under that
 * site's public folder a request path names — or why the request is refused.
 *
 * The path is decoded exactly once, segment by segment, and every segment must then be a
 * plain name: no `.`/`..`, no separator smuggled in as `%2f`/`%5c`, no control characters,
 * nothing that still looks percent-encoded (`%252e` → `%2e`). S3 keys are literal, so none of
 * this could walk out of a folder on S3 itself; but a key with such segments is a different
 * object from the one a browser meant, caches disagree about them, and the local store keeps
 * keys as file paths. Refusing them keeps "this URL is that key" one-to-one.
 */

import { checkHandle } from './handles.js'
import { encodeSegment } from './key-uris.js'

// Where keys become URIs (and back): its own module, shared with the SDK.
export { keyToUri, uriToKey } from './key-uris.js'

export type Resolution =
  | {
      kind: 'key'
      handle: string
      /** Path under the public folder, decoded: `index.html`, `img/cat.png`, `dir/index.html`. */
      path: string
      /** Set when the path may name a folder: where its index would be, and where to send the visitor. */
      folder?: Folder
    }
  | { kind: 'refuse'; status: 400 | 404; reason: string }

export interface Folder {
  /** `dir/index.html` for `dir`. */
  index: string
  /** `/dir/`, percent-encoded, for a `Location` header. */
  location: string
}

/** S3 keys are at most 1,024 bytes; leave room for `<identityId>/public/`. */
export const MAX_PATH_BYTES = 900

/** `us-east-1:0f1e…`: the only shape an identityId may have before it becomes a key prefix. */
export const IDENTITY_ID = /^[a-z]{2}(-[a-z]+)+-\d{1,2}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Maps `Host` + path to a file of a user's public folder, or refuses with 400 (a path no file
 * can have) or 404 (a host that is no user's site).
 * @example
 * resolve('DanielX.whimsy.space', '/blog/', 'whimsy.space')
 * // { kind: 'key', handle: 'danielx', path: 'blog/index.html' }
 */
export function resolve(host: string | undefined, uri: string, sitesDomain: string): Resolution {
  const handle = siteHandle(host, sitesDomain)
  if (handle === undefined) return { kind: 'refuse', status: 404, reason: 'No site at this address' }
  const path = resolvePath(uri)
  if (!path.ok) return { kind: 'refuse', status: 400, reason: path.reason }
  return path.folder ? { kind: 'key', handle, path: path.path, folder: path.folder } : { kind: 'key', handle, path: path.path }
}

/**
 * The handle a Host header names, or undefined. Case-insensitive; the host must be exactly
 * `<handle>.<sitesDomain>` — no port other than the one in `sitesDomain`, no trailing dot, no
 * further labels.
 */
export function siteHandle(host: string | undefined, sitesDomain: string): string | undefined {
  if (!host || !sitesDomain) return undefined
  const lower = host.toLowerCase()
  const suffix = `.${sitesDomain.toLowerCase()}`
  if (lower.length <= suffix.length || !lower.endsWith(suffix)) return undefined
  const label = lower.slice(0, -suffix.length)
  const check = checkHandle(label)
  return check.ok ? check.handle : undefined
}

export type PathResult = { ok: true; path: string; folder?: Folder } | { ok: false; reason: string }

const RAW_FORBIDDEN = /[\u0000-\u001f\u007f\\?#]/
const DECODED_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\]/
const STILL_ENCODED = /%[0-9a-f]{2}/i

/** The decoded path under the public folder that a raw request path names. */
export function resolvePath(uri: string): PathResult {
  if (typeof uri !== 'string' || !uri.startsWith('/')) return { ok: false, reason: 'The path must start with /' }
  if (RAW_FORBIDDEN.test(uri)) return { ok: false, reason: 'The path contains a forbidden character' }
  const raw = uri.slice(1).split('/')
  const directory = raw.at(-1) === ''
  if (directory) raw.pop()
  const segments: string[] = []
  for (const segment of raw) {
    if (segment === '') return { ok: false, reason: 'The path contains an empty segment (//)' }
    let decoded: string
    try {
      decoded = decodeURIComponent(segment)
    } catch {
      return { ok: false, reason: 'The path is not valid percent-encoded UTF-8' }
    }
    if (decoded === '.' || decoded === '..') return { ok: false, reason: 'The path contains a . or .. segment' }
    if (DECODED_FORBIDDEN.test(decoded)) return { ok: false, reason: 'The path contains an encoded separator or control character' }
    if (STILL_ENCODED.test(decoded)) return { ok: false, reason: 'The path is percent-encoded twice' }
    segments.push(decoded)
  }
  if (directory) segments.push('index.html')
  if (segments.length === 0) segments.push('index.html')
  const path = segments.join('/')
  if (new TextEncoder().encode(path).length > MAX_PATH_BYTES) return { ok: false, reason: 'The path is too long' }
  const folder = folderOf(path)
  return folder ? { ok: true, path, folder } : { ok: true, path }
}

/**
 * Whether a missing `path` may be a folder a visitor named without its slash: its last
 * segment has no extension. Then `dir/index.html` is worth a look, and `/dir/` is where to go.
 */
export function folderOf(path: string): Folder | undefined {
  const last = path.slice(path.lastIndexOf('/') + 1)
  if (last.includes('.')) return undefined
  return { index: `${path}/index.html`, location: `/${path.split('/').map(encodeSegment).join('/')}/` }
}

/** The S3 key of `path` in the public folder of `identityId`. Throws on an identityId of the wrong shape. */
export function publicKey(identityId: string, path: string): string {
  if (!IDENTITY_ID.test(identityId)) throw new Error(`Not an identityId: ${JSON.stringify(identityId)}`)
  return `${identityId}/public/${path}`
}
