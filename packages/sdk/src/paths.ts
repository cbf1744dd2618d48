/**
 * The user's paths (`/notes/todo.txt`, `/public/index.html`) and the S3 keys they map to
 * (`<identityId>/notes/todo.txt`). Pure: every rule is checked here, before any request, so
 * a bad path is an `InvalidPath` error and never a half-done operation.
 *
 * Two ways to name a place: a path string, which must follow the naming rules (so every name
 * the SDK creates does), or a listed entry's exact `key`, which reaches whatever is already
 * stored in the user's own folder, whoever wrote it — NFD accents, control characters and all.
 */
import { WhimsyError } from './errors.js'

/** S3's limit on a key, in UTF-8 bytes (the identityId prefix counts). */
export const MAX_KEY_BYTES = 1024

/** The user's public folder: its files are world-readable and served as their site. */
export const PUBLIC_FOLDER = '/public'

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
/**
 * Characters that change how a name is displayed, not what it says: bidi controls make
 * `invoice\u202Efdp.exe` read as `invoiceexe.pdf`, separators break a name across lines.
 * Refused in paths (so never created), reachable by key when already stored.
 */
const REORDERS = 'it can make a name display as something else'
const BREAKS = 'it breaks a name across lines'
const DECEPTIVE = new Map<string, { name: string; why: string }>([
  ['\u061c', { name: 'ARABIC LETTER MARK', why: REORDERS }],
  ['\u200e', { name: 'LEFT-TO-RIGHT MARK', why: REORDERS }],
  ['\u200f', { name: 'RIGHT-TO-LEFT MARK', why: REORDERS }],
  ['\u202a', { name: 'LEFT-TO-RIGHT EMBEDDING', why: REORDERS }],
  ['\u202b', { name: 'RIGHT-TO-LEFT EMBEDDING', why: REORDERS }],
  ['\u202c', { name: 'POP DIRECTIONAL FORMATTING', why: REORDERS }],
  ['\u202d', { name: 'LEFT-TO-RIGHT OVERRIDE', why: REORDERS }],
  ['\u202e', { name: 'RIGHT-TO-LEFT OVERRIDE', why: REORDERS }],
  ['\u2066', { name: 'LEFT-TO-RIGHT ISOLATE', why: REORDERS }],
  ['\u2067', { name: 'RIGHT-TO-LEFT ISOLATE', why: REORDERS }],
  ['\u2068', { name: 'FIRST STRONG ISOLATE', why: REORDERS }],
  ['\u2069', { name: 'POP DIRECTIONAL ISOLATE', why: REORDERS }],
  ['\u2028', { name: 'LINE SEPARATOR', why: BREAKS }],
  ['\u2029', { name: 'PARAGRAPH SEPARATOR', why: BREAKS }],
])
const DECEPTIVE_CHAR = new RegExp(`[${[...DECEPTIVE.keys()].join('')}]`)
/** What error messages escape, so a message never displays as something else either. */
const INVISIBLE = new RegExp(`${CONTROL.source}|${DECEPTIVE_CHAR.source}`, 'g')
/** Half of a UTF-16 pair on its own: not encodable as UTF-8, so not storable in a key. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const encoder = new TextEncoder()

/**
 * Checks and canonicalises a path: NFC, a leading `/`, no trailing `/` (except the root), no
 * empty, `.` or `..` segments, no control characters, no bidi controls or line separators,
 * and a key within S3's 1,024 bytes.
 * `identityId` is needed for the length check (its 46 bytes count toward the key).
 */
export function normalizePath(input: unknown, identityId = 'us-east-1:00000000-0000-0000-0000-000000000000'): string {
  if (typeof input !== 'string') throw invalid(input, 'a path must be a string')
  if (input === '') throw invalid(input, 'the path is empty')
  if (!input.startsWith('/')) throw invalid(input, 'a path starts with "/" (the root of your folder)')
  if (LONE_SURROGATE.test(input)) throw invalid(input, 'the path contains a broken Unicode character')
  const path = input.normalize('NFC')
  const control = CONTROL.exec(path)?.[0]
  if (control) throw invalid(input, `a path cannot contain control characters (NUL, newline, tab…), and it has ${codePoint(control)}`)
  const deceptive = DECEPTIVE_CHAR.exec(path)?.[0]
  if (deceptive) {
    const { name, why } = DECEPTIVE.get(deceptive) as { name: string; why: string }
    throw new WhimsyError('InvalidPath', `${shown(input)} is not a valid path. File names cannot contain ${codePoint(deceptive)} (${name}): ${why}.`)
  }
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

/**
 * A stored object named exactly: every `FileEntry` is one (`entry.key` is its S3 key; a
 * folder's ends with `/`). Verbs that act on what exists take it as well as a path.
 */
export interface FileRef {
  key: string
}

/**
 * Where a verb acts. `file` is the key of the file the input names (none for a place that can
 * only be a folder: the root, or a folder entry); `folder` is the prefix of everything inside
 * the folder it names; `path` is the user's path for results and messages.
 */
export interface Place {
  id: string
  file?: string
  folder: string
  path: string
}

/**
 * The place a path or an entry names. A path follows the rules (`normalizePath`); an entry's
 * key is taken exactly as stored, but only inside `<identityId>/`: a key is never a way to
 * address another user's files.
 */
export function placeOf(identityId: string, input: string | FileRef): Place {
  if (typeof input === 'string') {
    const path = normalizePath(input, identityId)
    return path === '/'
      ? { id: identityId, folder: `${identityId}/`, path }
      : { id: identityId, file: keyOf(identityId, path), folder: `${identityId}${path}/`, path }
  }
  const key = checkKey(identityId, input)
  const path = pathOfKey(identityId, key)
  return key.endsWith('/') ? { id: identityId, folder: key, path } : { id: identityId, file: key, folder: `${key}/`, path }
}

/** The checks an exact key gets: it must be storable, and the caller's own. */
function checkKey(identityId: string, input: unknown): string {
  const key = (input as Partial<FileRef> | null)?.key
  if (typeof input !== 'object' || typeof key !== 'string')
    throw new WhimsyError('InvalidPath', `${shown(input)} is not a path: give a path string ("/notes/todo.txt") or an entry from fs.list.`)
  const root = `${identityId}/`
  if (!key.startsWith(root)) throw new WhimsyError('InvalidPath', `The key ${shown(key)} is not in your folder (${root}…): entries reach only your own files.`)
  if (LONE_SURROGATE.test(key)) throw new WhimsyError('InvalidPath', `The key ${shown(key)} contains a broken Unicode character, so no file can have it.`)
  // Never stored (S3 APIs and the gateway refuse them), and HTTP layers may resolve dot
  // segments or cut at NUL, so the request could name another key than the one checked here.
  if (key.includes('\u0000') || key.split('/').some((segment) => segment === '.' || segment === '..'))
    throw new WhimsyError('InvalidPath', `The key ${shown(key)} has a NUL character or a "." or ".." segment, so no file can have it.`)
  const bytes = encoder.encode(key).length
  if (bytes > MAX_KEY_BYTES) throw new WhimsyError('InvalidPath', `The key ${shown(key)} is ${bytes} bytes; S3 keys have at most ${MAX_KEY_BYTES}.`)
  return key
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

/** A name as error messages show it: invisible and deceptive characters as `\uXXXX`. */
export function printable(path: string): string {
  return path.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
}

function codePoint(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
}

function shown(input: unknown): string {
  if (typeof input !== 'string') return String(input)
  return `"${printable(input.length > 80 ? `${input.slice(0, 80)}…` : input)}"`
}

function invalid(input: unknown, why: string): WhimsyError {
  return new WhimsyError('InvalidPath', `${shown(input)} is not a valid path: ${why}.`)
}
