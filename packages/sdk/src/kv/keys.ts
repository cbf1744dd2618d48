/**
 * Keys of `whimsy.kv` and the namespaces of `kv.app(name)`, as pure functions.
 *
 * Every stored sort key is `<namespace>:<key>`, where the namespace is `''` for `whimsy.kv`
 * itself and the app name for `kv.app(name)`. App names never contain `:`, so the text before
 * the FIRST `:` of a stored key names its namespace, and no namespace's prefix (`paint:`) is a
 * prefix of another's (`paint-2:`, `:`): two namespaces can never address the same item, nor
 * list each other's keys, whatever the keys contain (keys may contain `:` freely).
 */
import { WhimsyError } from '../errors.js'

/** DynamoDB's limit on a sort key value, in UTF-8 bytes. */
export const MAX_SORT_KEY_BYTES = 1024

/** The separator after the namespace; app names may not contain it. */
export const NAMESPACE_SEPARATOR = ':'

/** `paint`, `my-app`, `com.example.notes`: lowercase, digits, `.`, `_`, `-`; 1–64 characters. */
const APP_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

const encoder = new TextEncoder()

/** UTF-8 length of a string. */
export function utf8Length(s: string): number {
  return encoder.encode(s).length
}

/** Whether a string has no lone surrogate, i.e. is valid Unicode and so encodes to UTF-8 and back unchanged. */
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
}

/** Checks an app name for `kv.app(name)`; returns it. */
export function checkAppName(name: unknown): string {
  if (typeof name !== 'string' || !APP_NAME.test(name))
    throw new WhimsyError(
      'InvalidInput',
      `kv.app(${JSON.stringify(name)}): an app name is 1–64 characters of a–z, 0–9, ".", "_" and "-", starting with a letter or digit.`,
    )
  return name
}

/** The stored-key prefix of a namespace (`''` is `whimsy.kv` itself). */
export function namespacePrefix(app: string): string {
  return `${app}${NAMESPACE_SEPARATOR}`
}

/**
 * Checks an app's key and returns the stored sort key. Keys are non-empty, valid Unicode
 * (so their UTF-8 round-trips), and fit DynamoDB's 1,024-byte sort key with the namespace.
 */
export function storedKey(prefix: string, key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new WhimsyError('InvalidInput', `A kv key is a non-empty string; got ${describe(key)}.`)
  if (!isWellFormed(key)) throw new WhimsyError('InvalidInput', `The kv key ${JSON.stringify(key)} is not valid Unicode (it has a lone surrogate).`)
  const stored = prefix + key
  const bytes = utf8Length(stored)
  if (bytes > MAX_SORT_KEY_BYTES) {
    const budget = MAX_SORT_KEY_BYTES - utf8Length(prefix)
    throw new WhimsyError(
      'InvalidInput',
      `The kv key ${JSON.stringify(truncate(key))} is ${bytes - utf8Length(prefix)} bytes; keys are at most ${budget} bytes of UTF-8 here (DynamoDB's sort key limit is ${MAX_SORT_KEY_BYTES.toLocaleString('en')} bytes, including the "${prefix}" namespace prefix).`,
    )
  }
  return stored
}

/** The app's key of a stored sort key in a namespace, or undefined when it lies outside it. */
export function appKey(prefix: string, stored: string): string | undefined {
  return stored.startsWith(prefix) ? stored.slice(prefix.length) : undefined
}

/** Compares strings as DynamoDB orders sort keys: by their UTF-8 bytes (not UTF-16 code units). */
export function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return x.length - y.length
}

/**
 * Where a listing of `prefix` (stored form) starts after `startAfter` (stored form): from the
 * first key (`'all'`), after that key (`'after'`), or nowhere, as every key of the prefix sorts
 * at or before it (`'none'`). DynamoDB refuses an ExclusiveStartKey outside the key condition.
 */
export function startPosition(prefix: string, startAfter: string | undefined): 'all' | 'after' | 'none' {
  if (startAfter === undefined) return 'all'
  if (startAfter.startsWith(prefix)) return 'after'
  return compareUtf8(startAfter, prefix) < 0 ? 'all' : 'none'
}

function describe(v: unknown): string {
  if (typeof v === 'string') return 'an empty string'
  return v === null ? 'null' : typeof v
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}
