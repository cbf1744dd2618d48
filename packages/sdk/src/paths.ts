/**
 * The user's paths (`/notes/todo.txt`, `/public/index.html`) and the S3 keys they map to
 * (`<identityId>/notes/todo.txt`). Pure: every rule is checked here, before any request, so
 * a bad path is an `InvalidPath` error and never a half-done operation.
 */
import { WhimsyError } from './errors.js'

/** S3's limit on a key, in UTF-8 bytes (the identityId prefix counts). */
export const MAX_KEY_BYTES = 1024

/** The user's public folder: its files are world-readable and served as their site. */
export const PUBLIC_FOLDER = '/public'

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
/** Half of a UTF-16 pair on its own: not encodable as UTF-8, so not storable in a key. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const encoder = new TextEncoder()

/**
 * Checks and canonicalises a path: NFC, a leading `/`, no trailing `/` (except the root), no
 * empty, `.` or `..` segments, no control characters, and a key within S3's 1,024 bytes.
 * `identityId` is needed for the length check (its 46 bytes count toward the key).
 */
export function normalizePath(input: unknown, identityId = 'us-east-1:00000000-0000-0000-0000-000000000000'): string {
  if (typeof input !== 'string') throw invalid(input, 'a path must be a string')
  if (input === '') throw invalid(input, 'the path is empty')
  if (!input.startsWith('/')) throw invalid(input, 'a path starts with "/" (the root of your folder)')
  if (LONE_SURROGATE.test(input)) throw invalid(input, 'the path contains a broken Unicode character')
  const path = input.normalize('NFC')
  if (CONTROL.test(path)) throw invalid(input, 'a path cannot contain control characters (NUL, newline, tab…)')
  if (path === '/') return '/'
  const body = path.endsWith('/') ? path.slice(1, -1) : path.slice(1)
  const segments = body.split('/')
  for (const segment of segments) {
    if (segment === '') throw invalid(input, 'a path cannot contain empty segments ("//")')
    if (segment === '.' || segment === '..') throw invalid(input, `a path cannot contain "${segment}" segments`)
  }
  const canonical = `/${segments.join('/')}`
  // +1: a folder's marker key ends with "/".
  const bytes = encoder.encode(identityId).length + encoder.encode(canonical).length + 1
  if (bytes > MAX_KEY_BYTES) throw invalid(input, `the path is too long (${bytes} of at most ${MAX_KEY_BYTES} bytes with your folder's prefix)`)
  return canonical
}

/** The S3 key of a file path. */
export function keyOf(identityId: string, path: string): string {
  if (path === '/') throw new WhimsyError('InvalidPath', 'The root "/" is a folder, not a file.')
  return `${identityId}${path}`
}

/** The key prefix of everything inside a folder path (`<id>/` for the root). */
export function prefixOf(identityId: string, folder: string): string {
  return folder === '/' ? `${identityId}/` : `${identityId}${folder}/`
}

/** The path of a key under the user's root (the inverse of `keyOf`). */
export function pathOfKey(identityId: string, key: string): string {
  const root = `${identityId}/`
  if (!key.startsWith(root)) throw new Error(`key ${key} is outside ${root}`)
  const rest = key.slice(root.length).replace(/\/$/, '')
  return `/${rest}`
}

/** The last segment: `todo.txt` of `/notes/todo.txt`. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** The parent folder: `/notes` of `/notes/todo.txt`, `/` of `/a`. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

/** Whether `path` is `inside` or below it. */
export function isWithin(path: string, folder: string): boolean {
  return folder === '/' || path === folder || path.startsWith(`${folder}/`)
}

/** The site path of a public file: `/a.txt` for `/public/a.txt`. Throws for private paths. */
export function sitePathOf(path: string): string {
  if (!isWithin(path, PUBLIC_FOLDER))
    throw new WhimsyError('InvalidPath', `${path} is private: only files in ${PUBLIC_FOLDER}/ have a public address. Move it there to publish it.`)
  return path === PUBLIC_FOLDER ? '/' : path.slice(PUBLIC_FOLDER.length)
}

function invalid(input: unknown, why: string): WhimsyError {
  const shown = typeof input === 'string' ? JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}…` : input) : String(input)
  return new WhimsyError('InvalidPath', `${shown} is not a valid path: ${why}.`)
}
