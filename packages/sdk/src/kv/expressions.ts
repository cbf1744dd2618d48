/**
 * The DynamoDB expressions behind `kv.set`, `kv.update` and `kv.delete`, as pure functions:
 * conditional single-item writes (the local engine has no transactions), with expiry in every
 * condition, since TTL deletion lags and an expired item must behave as absent at once.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { WhimsyError } from '../errors.js'
import { ADDABLE_NUMBERS, ATTR, encodeField, encodeValue, isFieldName, type JsonValue, randomVersion, setOwn } from './values.js'

/** Field changes for `kv.update`, applied atomically on the server. */
export interface KvUpdate {
  /** Fields to set to a JSON value. */
  set?: Record<string, unknown>
  /** Numeric fields to add to (a missing field counts as 0; a negative number subtracts). */
  add?: Record<string, number>
  /** Fields to remove. */
  remove?: string[]
}

export interface ExpressionParts {
  UpdateExpression?: string
  ConditionExpression?: string
  ExpressionAttributeNames: Record<string, string>
  ExpressionAttributeValues?: Record<string, AttributeValue>
}

/** DynamoDB's limit on one expression string. */
const MAX_EXPRESSION_LENGTH = 4096

const NAMES = {
  '#sk': ATTR.sort,
  '#json': ATTR.json,
  '#fields': ATTR.fields,
  '#ver': ATTR.version,
  '#upd': ATTR.updatedAt,
  '#exp': ATTR.expiresAt,
}

/** Live: no expiry, or one still ahead. */
const LIVE = '(attribute_not_exists(#exp) OR #exp > :nowSec)'
/** Absent: never written, or expired. */
const ABSENT = '(attribute_not_exists(#sk) OR #exp <= :nowSec)'

export interface WriteOptions {
  nowMs: number
  /** Epoch seconds; undefined = no expiry (`set`) or keep the current one (`update`). */
  expiresAt?: number
  ifAbsent?: boolean
  ifVersion?: number
  /** `set`: the version the item gets if it has none yet; default `randomVersion()`. */
  firstVersion?: number
}

/**
 * `kv.set`: replaces the whole item (value, expiry) and adds 1 to its version; an item created
 * here starts at a random version (`randomVersion`), so that a version read before a delete
 * never matches the new item.
 */
export function setExpression(value: JsonValue, options: WriteOptions): ExpressionParts {
  const encoded = encodeValue(value)
  const isFields = 'fields' in encoded
  const values: Record<string, AttributeValue> = {
    ':val': isFields ? encoded.fields : encoded.json,
    // One below the first version: the same `+ 1` then serves both a new and an existing item.
    ':base': { N: String((options.firstVersion ?? randomVersion()) - 1) },
    ':one': { N: '1' },
    ':now': { N: String(options.nowMs) },
  }
  const sets = [`${isFields ? '#fields' : '#json'} = :val`, '#ver = if_not_exists(#ver, :base) + :one', '#upd = :now']
  const removes = [isFields ? '#json' : '#fields']
  if (options.expiresAt !== undefined) {
    sets.push('#exp = :exp')
    values[':exp'] = { N: String(options.expiresAt) }
  } else removes.push('#exp')
  const condition = writeCondition(options, values)
  return {
    UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    ...(condition ? { ConditionExpression: condition } : {}),
    ExpressionAttributeNames: used(NAMES, `${sets.join()} ${removes.join()} ${condition ?? ''}`),
    ExpressionAttributeValues: values,
  }
}

/**
 * `kv.update` on an existing object: each field by its own path in `fields`, version + 1.
 * Conditional on the item holding a live object (and on its version, with `ifVersion`).
 */
export function updateExpression(update: KvUpdate, options: WriteOptions): ExpressionParts {
  const ops = checkUpdate(update)
  const names: Record<string, string> = {}
  const values: Record<string, AttributeValue> = { ':zero': { N: '0' }, ':one': { N: '1' }, ':now': { N: String(options.nowMs) } }
  const sets: string[] = []
  const removes: string[] = []
  ops.forEach((op, i) => {
    names[`#f${i}`] = op.field
    const path = `#fields.#f${i}`
    if (op.kind === 'set') {
      values[`:v${i}`] = encodeField(op.value)
      sets.push(`${path} = :v${i}`)
    } else if (op.kind === 'add') {
      values[`:v${i}`] = encodeField(op.value)
      sets.push(`${path} = if_not_exists(${path}, :zero) + :v${i}`)
    } else removes.push(path)
  })
  sets.push('#ver = if_not_exists(#ver, :zero) + :one', '#upd = :now')
  if (options.expiresAt !== undefined) {
    sets.push('#exp = :exp')
    values[':exp'] = { N: String(options.expiresAt) }
  }
  values[':nowSec'] = { N: String(options.nowMs / 1000) }
  let condition = `attribute_exists(#fields) AND ${LIVE}`
  if (options.ifVersion !== undefined) {
    condition += ' AND #ver = :ifVersion'
    values[':ifVersion'] = { N: String(options.ifVersion) }
  }
  const expression = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`
  if (expression.length + condition.length > MAX_EXPRESSION_LENGTH)
    throw new WhimsyError('InvalidInput', `kv.update: too many fields in one update (${ops.length}); split it into several updates.`)
  return {
    UpdateExpression: expression,
    ConditionExpression: condition,
    ExpressionAttributeNames: { ...used(NAMES, `${expression} ${condition}`), ...names },
    ExpressionAttributeValues: values,
  }
}

/** `kv.delete`: conditional on the version when asked (an expired item has none left). */
export function deleteExpression(options: { nowMs: number; ifVersion?: number }): ExpressionParts | undefined {
  if (options.ifVersion === undefined) return undefined
  return {
    ConditionExpression: `#ver = :ifVersion AND ${LIVE}`,
    ExpressionAttributeNames: { '#ver': ATTR.version, '#exp': ATTR.expiresAt },
    ExpressionAttributeValues: { ':ifVersion': { N: String(options.ifVersion) }, ':nowSec': { N: String(options.nowMs / 1000) } },
  }
}

/** The object an update makes of an absent item: `{}` with the changes applied. */
export function applyToEmpty(update: KvUpdate): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {}
  for (const op of checkUpdate(update)) if (op.kind !== 'remove') setOwn(out, op.field, op.value)
  return out
}

type Op = { kind: 'set'; field: string; value: JsonValue } | { kind: 'add'; field: string; value: number } | { kind: 'remove'; field: string }

/** Validates an update: known keys only, field names DynamoDB can address, each field once. */
export function checkUpdate(update: KvUpdate): Op[] {
  if (typeof update !== 'object' || update === null) throw new WhimsyError('InvalidInput', 'kv.update takes { set?, add?, remove? }.')
  for (const k of Object.keys(update)) {
    if (k !== 'set' && k !== 'add' && k !== 'remove')
      throw new WhimsyError('InvalidInput', `kv.update: unknown change "${k}"; the changes are set, add and remove.`)
  }
  const ops: Op[] = []
  for (const [field, value] of Object.entries(update.set ?? {})) if (value !== undefined) ops.push({ kind: 'set', field, value: value as JsonValue })
  for (const [field, given] of Object.entries(update.add ?? {})) {
    const value = given === 0 ? 0 : given // adding -0 is adding 0
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new WhimsyError('InvalidInput', `kv.update: add.${field} must be a finite number; got ${String(value)}.`)
    if (encodeField(value).N === undefined)
      throw new WhimsyError('InvalidInput', `kv.update: add.${field} = ${value} is outside the numbers DynamoDB adds exactly (${ADDABLE_NUMBERS}).`)
    ops.push({ kind: 'add', field, value })
  }
  if (update.remove !== undefined && !Array.isArray(update.remove)) throw new WhimsyError('InvalidInput', 'kv.update: remove is a list of field names.')
  for (const field of update.remove ?? []) ops.push({ kind: 'remove', field: String(field) })
  if (ops.length === 0) throw new WhimsyError('InvalidInput', 'kv.update: nothing to change.')
  const seen = new Set<string>()
  for (const op of ops) {
    if (op.field === '__proto__')
      throw new WhimsyError(
        'InvalidInput',
        'kv.update: a field named "__proto__" cannot be changed on its own (an object with one is stored whole, as JSON text); replace the whole value with kv.set.',
      )
    if (!isFieldName(op.field))
      throw new WhimsyError(
        'InvalidInput',
        `kv.update: the field name ${JSON.stringify(op.field)} cannot be updated on its own (names are 1–255 bytes of valid Unicode).`,
      )
    if (seen.has(op.field)) throw new WhimsyError('InvalidInput', `kv.update: the field "${op.field}" appears in more than one change.`)
    seen.add(op.field)
  }
  return ops
}

function writeCondition(options: WriteOptions, values: Record<string, AttributeValue>): string | undefined {
  if (options.ifAbsent && options.ifVersion !== undefined) throw new WhimsyError('InvalidInput', 'Use ifAbsent or ifVersion, not both.')
  if (!options.ifAbsent && options.ifVersion === undefined) return undefined
  values[':nowSec'] = { N: String(options.nowMs / 1000) }
  if (options.ifAbsent) return ABSENT
  values[':ifVersion'] = { N: String(options.ifVersion) }
  return `#ver = :ifVersion AND ${LIVE}`
}

/** The names an expression uses (DynamoDB refuses unused ones). */
function used(names: Record<string, string>, expression: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [token, name] of Object.entries(names)) if (new RegExp(`${token}\\b`).test(expression)) out[token] = name
  return out
}
