/**
 * How a JSON value becomes a DynamoDB item and back, and how big that item is — pure.
 *
 * Why not DynamoDB's native types for the whole value (lib-dynamodb's marshalling): they do not
 * round-trip JSON. Numbers have 38 digits and a range of 1E-130..1E+126 (so `1e300` and
 * `5e-324` fail), `-0` comes back as `0`, integers past 2^53 come back as `bigint`, and maps
 * lose empty attribute names. JSON text in a string attribute round-trips every JSON value
 * exactly — but then `update` could not change one field atomically. So there are two shapes:
 *
 * - `json` (S): the JSON text of the value. Every value that is not a plain object, and
 *   objects with a field name DynamoDB cannot address (empty, over 255 bytes, not valid Unicode).
 * - `fields` (M): a plain object, one map entry per field, so `update` can
 *   `SET fields.#name = …` on one field. Each entry is a number (N) when the field is a number
 *   whose JavaScript text is plain decimal (`Number(text)` gives it back exactly; `ADD`-style
 *   arithmetic works on it), else the JSON text of the field (S). A string field `"5"` is stored
 *   as the text `"\"5\""`, so it never reads back as the number 5. Field order is not kept (JSON
 *   objects are unordered).
 *
 * Every item also has `version` (N), `updatedAt` (N, epoch ms) and, when it expires,
 * `expiresAt` (N, epoch seconds — the table's TTL attribute; readers compare it themselves,
 * since TTL deletes lazily and the local engine has none).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { WhimsyError } from '../errors.js'
import { isWellFormed, utf8Length } from './keys.js'

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Attribute names of a kv item. */
export const ATTR = {
  partition: 'identityId',
  sort: 'key',
  json: 'json',
  fields: 'fields',
  version: 'version',
  updatedAt: 'updatedAt',
  /** The table's TTL attribute (epoch seconds). */
  expiresAt: 'expiresAt',
} as const

/** DynamoDB's item limit: 400 KB, counting attribute names and values, the key included. */
export const MAX_ITEM_BYTES = 400 * 1024

/** An upper bound of an identityId (`region:uuid`, 46–52 bytes) for sizes computed before sign-in. */
export const MAX_IDENTITY_ID_BYTES = 64

/** DynamoDB's limit on an attribute name used in an expression path; longer field names go to `json`. */
export const MAX_FIELD_NAME_BYTES = 255

/** Numbers kept as DynamoDB numbers: plain decimal text (no exponent), never -0. */
const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/

/** How numbers DynamoDB adds exactly are described in messages. */
export const ADDABLE_NUMBERS = 'numbers JavaScript writes as plain decimals (0, and magnitudes from 1e-6 to below 1e21; not -0)'

export type Item = Record<string, AttributeValue>

/**
 * Sets an own field, also one named `__proto__`: assigning that name would set the object's
 * prototype instead (dropping the field, or handing its value's fields to every lookup), so a
 * JSON object's `"__proto__"` is written as the ordinary field `JSON.parse` makes of it — also
 * when reading a `fields` map that holds one (written by SDK versions before this rule).
 */
export function setOwn<V>(target: Record<string, V>, name: string, value: V): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true })
  else target[name] = value
}

/**
 * A version for an item that has none yet: random, from 2^32 up to below 2^51 + 2^32, so it is
 * never one a counted version reaches and adding 1 per write stays exact (below 2^53). Random,
 * not 1, so a version read before a delete (or a TTL deletion) never matches the item created
 * at that key afterwards: a stale `ifVersion` is a Conflict, not a silent overwrite.
 */
export function randomVersion(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number]
  return 2 ** 32 + (hi % 2 ** 19) * 2 ** 32 + lo
}

/**
 * Checks that `value` is plain JSON that survives the trip: no `undefined` (except as an
 * object field, which is dropped as `JSON.stringify` drops it), no NaN/Infinity, bigint,
 * function, symbol, class instance (Date, Map…) or cycle. `what` names it in the message.
 */
export function checkJson(value: unknown, what: string): JsonValue {
  const seen = new Set<object>()
  const walk = (v: unknown, path: string, depth = 0): void => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return
      case 'number':
        if (!Number.isFinite(v)) throw invalid(`${path} is ${v}, which JSON cannot hold`)
        return
      case 'object': {
        if (v === null) return
        if (seen.has(v)) throw invalid(`${path} refers to itself (a cycle)`)
        // Before the stack runs out here or in JSON.stringify (a RangeError), and long before the
        // path in this message would grow with every level.
        if (depth >= MAX_JSON_DEPTH) throw invalid(`it is nested more than ${MAX_JSON_DEPTH} levels deep`)
        seen.add(v)
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            if (v[i] === undefined) throw invalid(`${path}[${i}] is undefined, which JSON cannot hold`)
            walk(v[i], `${path}[${i}]`, depth + 1)
          }
        } else {
          const proto = Object.getPrototypeOf(v)
          if (proto !== Object.prototype && proto !== null) throw invalid(`${path} is a ${proto?.constructor?.name ?? 'class instance'}, not plain JSON`)
          for (const [k, f] of Object.entries(v)) if (f !== undefined) walk(f, `${path}.${k}`, depth + 1)
        }
        seen.delete(v)
        return
      }
      default:
        throw invalid(`${path} is ${v === undefined ? 'undefined' : `a ${typeof v}`}, which JSON cannot hold`)
    }
  }
  const invalid = (reason: string) => new WhimsyError('InvalidInput', `The value of ${what} is not JSON: ${reason}.`)
  walk(value, 'value')
  return value as JsonValue
}

/** Arrays and objects inside each other: deeper than any settings or app state needs. */
export const MAX_JSON_DEPTH = 100

/** Whether a value is stored as `fields` (and so can be updated field by field). */
export function isFieldObject(value: JsonValue): value is { [key: string]: JsonValue } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return Object.keys(value).every(isFieldName)
}

/**
 * Whether a field name can be a map key addressed in an update expression. Not `__proto__`:
 * DynamoDB takes it, but the local engine (dynalite) reads a map holding it into a plain
 * object, where it becomes the prototype, and refuses the request; as JSON text it round-trips
 * everywhere (an object with it is not updatable field by field, like one with an empty name).
 */
export function isFieldName(name: string): boolean {
  return name.length > 0 && name !== '__proto__' && isWellFormed(name) && utf8Length(name) <= MAX_FIELD_NAME_BYTES
}

/**
 * JSON text of a value, as `JSON.stringify` writes it except that `-0` stays `-0` (valid JSON,
 * and `JSON.parse('-0')` gives `-0` back; `JSON.stringify` writes `0`).
 */
export function toJsonText(value: JsonValue): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : JSON.stringify(value)
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`
  const fields: string[] = []
  for (const [k, v] of Object.entries(value)) if (v !== undefined) fields.push(`${JSON.stringify(k)}:${toJsonText(v)}`)
  return `{${fields.join(',')}}`
}

/** One field of a `fields` map. */
export function encodeField(value: JsonValue): AttributeValue {
  if (typeof value === 'number' && !Object.is(value, -0) && PLAIN_DECIMAL.test(String(value))) return { N: String(value) }
  return { S: toJsonText(value) }
}

export function decodeField(attr: AttributeValue): JsonValue {
  if (attr.N !== undefined) return Number(attr.N)
  if (attr.S !== undefined) return JSON.parse(attr.S) as JsonValue
  throw new WhimsyError('Unknown', 'A kv field is neither a number nor JSON text; it was not written by the SDK.')
}

/** The value attributes of an item: `{ fields }` for a plain object, else `{ json }`. */
export function encodeValue(value: JsonValue): { json: AttributeValue } | { fields: AttributeValue } {
  if (isFieldObject(value)) {
    const map: Record<string, AttributeValue> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) setOwn(map, k, encodeField(v))
    return { fields: { M: map } }
  }
  return { json: { S: toJsonText(value) } }
}

/** The value of an item, or `undefined` when it holds none (not written by the SDK). */
export function decodeValue(item: Item): JsonValue | undefined {
  const json = item[ATTR.json]?.S
  if (json !== undefined) return JSON.parse(json) as JsonValue
  const fields = item[ATTR.fields]?.M
  if (fields === undefined) return undefined
  const out: { [key: string]: JsonValue } = {}
  for (const [k, v] of Object.entries(fields)) setOwn(out, k, decodeField(v))
  return out
}

/** Whether an item has expired at `nowMs` (TTL deletion lags, so readers decide). */
export function isExpired(item: Item, nowMs: number): boolean {
  const at = item[ATTR.expiresAt]?.N
  return at !== undefined && Number(at) * 1000 <= nowMs
}

/** The TTL attribute for an expiry: whole epoch seconds, rounded up so an item never expires early. */
export function expirySeconds(at: Date): number {
  return Math.ceil(at.getTime() / 1000)
}

/**
 * The size DynamoDB counts for an item, as an upper bound: attribute names plus values, where
 * a string is its UTF-8 bytes, a number at most 21 bytes (38 digits / 2 + 1), a map 3 bytes
 * plus, per entry, its name, its value and 1 byte.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function itemSize(item: Item): number {
  let total = 0
  for (const [name, value] of Object.entries(item)) total += utf8Length(name) + attributeSize(value)
  return total
}

export function attributeSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S)
  if (value.N !== undefined) return 21
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1
  if (value.M !== undefined) {
    let total = 3
    for (const [k, v] of Object.entries(value.M)) total += utf8Length(k) + attributeSize(v) + 1
    return total
  }
  if (value.L !== undefined) {
    let total = 3
    for (const v of value.L) total += attributeSize(v) + 1
    return total
  }
  throw new Error('attributeSize: unsupported attribute type')
}

/**
 * Refuses, before any request, an item over DynamoDB's 400 KB limit. Sizes the item as it will
 * be stored, with the longest identityId and every bookkeeping attribute.
 */
export function checkItemSize(storedKey: string, value: { json: AttributeValue } | { fields: AttributeValue }, what: string): void {
  const item: Item = {
    [ATTR.partition]: { S: 'x'.repeat(MAX_IDENTITY_ID_BYTES) },
    [ATTR.sort]: { S: storedKey },
    [ATTR.version]: { N: '0' },
    [ATTR.updatedAt]: { N: '0' },
    [ATTR.expiresAt]: { N: '0' },
    ...value,
  }
  const size = itemSize(item)
  if (size > MAX_ITEM_BYTES) throw new WhimsyError('InvalidInput', tooLargeMessage(what, size))
}

/**
 * The message for a value over the item limit: with its size when known before the request,
 * else (an update that grew the item, refused by DynamoDB) without.
 */
export function tooLargeMessage(what: string, size?: number): string {
  const how = size === undefined ? 'DynamoDB refused to store it' : `stored, it would be about ${size.toLocaleString('en')} bytes`
  return `The value of ${what} is too large: ${how}, and DynamoDB's item limit is 400 KB (${MAX_ITEM_BYTES.toLocaleString('en')} bytes, counting the key and attribute names). Keep large data in files (whimsy.fs).`
}

/**
 * Why `add` failed on a stored item with "incorrect data type": the first of `fields` that holds
 * something other than a DynamoDB number — a number stored as text because DynamoDB could not
 * add to it exactly (`-0`, `1e21`, `1e300`), or not a number at all. Undefined when every one
 * is a number or missing (the item changed since).
 */
export function addFailure(item: Item | undefined, fields: readonly string[]): { field: string; stored: 'number' | 'other'; text?: string } | undefined {
  const map = item?.[ATTR.fields]?.M
  if (!map) return undefined
  for (const field of fields) {
    if (!Object.hasOwn(map, field)) continue
    const attr = map[field] as AttributeValue
    if (attr.N !== undefined) continue
    try {
      if (attr.S !== undefined && typeof JSON.parse(attr.S) === 'number') return { field, stored: 'number', text: attr.S }
    } catch {
      // Not JSON text (not written by the SDK): not a number either.
    }
    return { field, stored: 'other' }
  }
  return undefined
}
