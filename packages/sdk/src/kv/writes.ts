/** `kv.set`, `kv.update` and `kv.delete`: conditional single-item writes, and why a condition failed. */
import type { DeleteItemCommandOutput, GetItemCommandOutput, UpdateItemCommandOutput } from '@aws-sdk/client-dynamodb'
import { checkNotAborted } from '../abort.js'
import { detailOf, toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '../transport/dynamodb.js'
import { applyToEmpty, checkUpdate, deleteExpression, type KvUpdate, setExpression, updateExpression } from './expressions.js'
import { storedKey } from './keys.js'
import { checkOptions, expiryOf, versionOf } from './options.js'
import { describeKey, itemKey, type KvTable, metaOf } from './table.js'
import type { KvDeleteOptions, KvEntry, KvMeta, KvSetOptions, KvUpdateOptions } from './types.js'
import { ADDABLE_NUMBERS, ATTR, addFailure, checkItemSize, checkJson, encodeField, encodeValue, isExpired, type JsonValue, setOwn } from './values.js'

/** Rounds of `update` against concurrent creation of the same key. */
const UPDATE_ROUNDS = 10

export async function set(t: KvTable, key: string, value: unknown, options: KvSetOptions = {}): Promise<KvMeta> {
  const sk = storedKey(t.prefix, key)
  const what = describeKey(key)
  const json = checkJson(value, what)
  checkOptions(options, ['ifAbsent', 'ifVersion', 'ttl', 'expiresAt'], 'kv.set')
  const { signal } = options
  const expiresAt = expiryOf(options)
  const ifVersion = versionOf(options.ifVersion)
  if (options.ifAbsent !== undefined && typeof options.ifAbsent !== 'boolean') throw new WhimsyError('InvalidInput', 'kv.set: ifAbsent is true or false.')
  checkItemSize(sk, encodeValue(json), what)
  const nowMs = Date.now()
  const parts = setExpression(json, { nowMs, expiresAt, ifAbsent: options.ifAbsent, ifVersion })
  checkNotAborted('kv.set', signal)
  try {
    const item = await t.call(what, (id) =>
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
      // UpdateItem, not PutItem: it replaces every attribute the SDK writes and still adds 1 to the version.
      t
        .send<UpdateItemCommandOutput>(new UpdateItemCommand({ TableName: t.table, Key: itemKey(id, sk), ...parts, ReturnValues: 'UPDATED_NEW' }), signal)
        .then((r) => r.Attributes ?? {}),
    )
    return metaOf(item)
  } catch (e) {
    if (e instanceof WhimsyError && e.code === 'Conflict') {
      const why = options.ifAbsent ? `${what} already has a value.` : `${what} is no longer at version ${ifVersion}: it was changed or deleted meanwhile.`
      throw new WhimsyError('Conflict', why, { cause: e.cause, status: e.status })
    }
    throw e
  }
}

export async function update<T = JsonValue>(t: KvTable, key: string, changes: KvUpdate, options: KvUpdateOptions = {}): Promise<KvEntry<T>> {
  const sk = storedKey(t.prefix, key)
  const what = describeKey(key)
  checkOptions(options, ['ifVersion', 'ttl', 'expiresAt'], 'kv.update')
  const { signal } = options
  const ops = checkUpdate(changes)
  for (const op of ops) if (op.kind === 'set') checkJson(op.value, `${what}, field "${op.field}"`)
  const setFields: Record<string, ReturnType<typeof encodeField>> = {}
  for (const op of ops) if (op.kind !== 'remove') setOwn(setFields, op.field, encodeField(op.value))
  checkItemSize(sk, { fields: { M: setFields } }, what)
  const expiresAt = expiryOf(options)
  const ifVersion = versionOf(options.ifVersion)
  checkNotAborted('kv.update', signal)

  for (let round = 0; round < UPDATE_ROUNDS; round++) {
    const nowMs = Date.now()
    try {
      const item = await t.call(what, (id) =>
        t
          .send<UpdateItemCommandOutput>(
            new UpdateItemCommand({
              TableName: t.table,
              Key: itemKey(id, sk),
              ...updateExpression(changes, { nowMs, expiresAt, ifVersion }),
              ReturnValues: 'ALL_NEW',
            }),
            signal,
          )
          .then((r) => r.Attributes ?? {}),
      )
      return t.entry<T>(item, -Infinity) as KvEntry<T>
    } catch (e) {
      // A failed condition; AWS may instead call a path into a missing `fields` map invalid.
      const absentPath = detailOf(e) === 'MissingDocumentPath'
      if (!(e instanceof WhimsyError && e.code === 'Conflict') && !absentPath)
        throw await updateError(
          t,
          e,
          what,
          sk,
          ops.flatMap((op) => (op.kind === 'add' ? [op.field] : [])),
        )
    }
    // The condition failed: find out why, with a consistent read.
    const current = await t.call(what, (id) =>
      t.send<GetItemCommandOutput>(new GetItemCommand({ TableName: t.table, Key: itemKey(id, sk), ConsistentRead: true }), signal).then((r) => r.Item),
    )
    const live = current && !isExpired(current, Date.now()) ? current : undefined
    if (live && live[ATTR.fields] === undefined)
      throw new WhimsyError('InvalidInput', `kv.update: ${what} holds a value that is not an object with updatable fields; use kv.set to replace it.`)
    if (ifVersion !== undefined && (!live || Number(live[ATTR.version]?.N) !== ifVersion))
      throw new WhimsyError('Conflict', `${what} is no longer at version ${ifVersion}: it was changed or deleted meanwhile.`)
    if (live) continue // created by someone else since: update it in place
    // Absent (or expired): create it from {} with the changes applied, unless someone beats us to it.
    try {
      const parts = setExpression(applyToEmpty(changes), { nowMs: Date.now(), expiresAt, ifAbsent: true })
      const item = await t.call(what, (id) =>
        t
          .send<UpdateItemCommandOutput>(new UpdateItemCommand({ TableName: t.table, Key: itemKey(id, sk), ...parts, ReturnValues: 'ALL_NEW' }), signal)
          .then((r) => r.Attributes ?? {}),
      )
      return t.entry<T>(item, -Infinity) as KvEntry<T>
    } catch (e) {
      if (!(e instanceof WhimsyError && e.code === 'Conflict')) throw e
    }
  }
  throw new WhimsyError('Conflict', `kv.update: ${what} kept changing under concurrent writers; try again.`)
}

export async function deleteKey(t: KvTable, key: string, options: KvDeleteOptions = {}): Promise<boolean> {
  const sk = storedKey(t.prefix, key)
  const what = describeKey(key)
  checkOptions(options, ['ifVersion'], 'kv.delete')
  const ifVersion = versionOf(options.ifVersion)
  const { signal } = options
  checkNotAborted('kv.delete', signal)
  const nowMs = Date.now()
  try {
    const old = await t.call(what, (id) =>
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
      t
        .send<DeleteItemCommandOutput>(
          new DeleteItemCommand({ TableName: t.table, Key: itemKey(id, sk), ...deleteExpression({ nowMs, ifVersion }), ReturnValues: 'ALL_OLD' }),
          signal,
        )
        .then((r) => r.Attributes),
    )
    return old !== undefined && !isExpired(old, nowMs)
  } catch (e) {
    if (e instanceof WhimsyError && e.code === 'Conflict')
      throw new WhimsyError('Conflict', `${what} is no longer at version ${ifVersion}: it was changed or deleted meanwhile.`, {
        cause: e.cause,
        status: e.status,
      })
    throw e
  }
}

/**
 * An update's error, with `add` on a field that is not a DynamoDB number explained: a consistent
 * read finds the field, and says whether it holds no number or a number stored as text.
 */
async function updateError(t: KvTable, e: unknown, what: string, sk: string, addFields: string[]): Promise<WhimsyError> {
  const err = e instanceof WhimsyError ? e : toWhimsyError(e, what)
  const cause = (err.cause ?? {}) as { message?: string }
  if (!(err.code === 'InvalidInput' && /incorrect data type/i.test(cause.message ?? ''))) return err
  const item = await t
    .call(what, (id) =>
      t.send<GetItemCommandOutput>(new GetItemCommand({ TableName: t.table, Key: itemKey(id, sk), ConsistentRead: true })).then((r) => r.Item),
    )
    .catch(() => undefined)
  const failure = addFailure(item, addFields)
  const message = !failure
    ? `kv.update: ${what} has a field that is not a number, so "add" cannot change it.`
    : failure.stored === 'number'
      ? `kv.update: ${what}, field "${failure.field}" holds ${failure.text}, a number the SDK stores as text so that it reads back exactly ("add" works on DynamoDB numbers, and only ${ADDABLE_NUMBERS} are stored as those); read it and set the new value instead.`
      : `kv.update: ${what}, field "${failure.field}" is not a number, so "add" cannot change it.`
  return new WhimsyError('InvalidInput', message, { cause: err.cause, status: err.status })
}
