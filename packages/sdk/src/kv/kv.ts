/**
 * `whimsy.kv`: the signed-in user's key-value data — settings, app state, small records —
 * synced across their devices. One DynamoDB table; the partition is the user's identityId
 * (taken from the session, never from the app, and the only partition the role's policy
 * grants), the sort key is the app's key in its namespace (`kv-keys.ts`). How values are
 * stored is `kv-values.ts`; the expressions are `kv-expressions.ts`.
 *
 * Every check on input (key, JSON, size, options) runs before any request. Throttling is
 * retried by the AWS SDK client itself (standard retry mode); only the leftovers of batch
 * calls, which are not errors, are resent here (`kv-batch.ts`).
 */
import type {
  BatchGetItemCommandOutput,
  BatchWriteItemCommandOutput,
  DeleteItemCommandOutput,
  GetItemCommandOutput,
  KeysAndAttributes,
  QueryCommandOutput,
  UpdateItemCommandOutput,
  WriteRequest,
} from '@aws-sdk/client-dynamodb'
import { checkNotAborted } from '../abort.js'
import { checkOptions as checkKnown, invalid, is, isPlainObject, type Rule } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import type { ChangeEvent } from '../changes/types.js'
import { watchKeys } from '../changes/watch.js'
import { WhimsyError } from '../errors.js'
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDbCommand,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '../transport/dynamodb.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { BATCH_GET_LIMIT, BATCH_WRITE_LIMIT, chunks, drain } from './batch-drain.js'
import { applyToEmpty, checkUpdate, deleteExpression, type KvUpdate, setExpression, updateExpression } from './expressions.js'
import { appKey, checkAppName, namespacePrefix, storedKey } from './keys.js'
import { planList } from './list-plan.js'
import {
  ADDABLE_NUMBERS,
  ATTR,
  addFailure,
  checkItemSize,
  checkJson,
  decodeValue,
  encodeField,
  encodeValue,
  expirySeconds,
  type Item,
  isExpired,
  type JsonValue,
  randomVersion,
  setOwn,
  tooLargeMessage,
} from './values.js'

export type { KvUpdate } from './expressions.js'
export type { JsonValue } from './values.js'

/** What every item carries besides its value. */
export interface KvMeta {
  /**
   * Changes on every write: `set` and `update` add 1. An item starts at a random version (at
   * least 2^32) when created — by `set` or `update` on a key without a value, also after a
   * delete or expiry — so a version read before a delete never matches the new item. `setMany`,
   * a batch write that cannot read the old item, gives a fresh random version every time. Pass
   * it back as `ifVersion`; compare versions for equality, not order (`updatedAt` orders writes).
   */
  version: number
  /** When the item was last written (the writer's clock). */
  updatedAt: Date
  /** When the item stops existing, if it expires (whole seconds, rounded up). */
  expiresAt?: Date
}

/** An item: its key (within the namespace), value and metadata. */
export interface KvEntry<T = JsonValue> extends KvMeta {
  key: string
  value: T
}

/**
 * Expiry: either `ttl` (seconds from now) or `expiresAt` (a Date or epoch milliseconds), in the
 * future and at most 10 years ahead.
 */
export interface KvExpiry {
  ttl?: number
  expiresAt?: Date | number
}

/** Every `kv` call takes a `signal`: aborted, it rejects with `Aborted` (at once if already aborted). */
export interface KvCallOptions {
  signal?: AbortSignal
}

export interface KvSetOptions extends KvExpiry, KvCallOptions {
  /** Write only if the key has no (live) value; else `Conflict`. */
  ifAbsent?: boolean
  /** Write only if the item is still at this version; else `Conflict`. */
  ifVersion?: number
}

export interface KvUpdateOptions extends KvExpiry, KvCallOptions {
  /** Update only if the item is still at this version; else `Conflict`. */
  ifVersion?: number
}

export interface KvDeleteOptions extends KvCallOptions {
  /** Delete only if the item is still at this version; else `Conflict`. */
  ifVersion?: number
}

export interface KvListOptions extends KvCallOptions {
  /** Only keys that start with this. */
  prefix?: string
  /** Only keys after this one (in UTF-8 byte order, DynamoDB's order): pass the last key seen to resume. */
  startAfter?: string
  /** At most this many entries in all. */
  limit?: number
  /** Entries fetched per request; default 100. */
  pageSize?: number
}

/** The result of `kv.list`: iterate entries, or whole pages with `pages()`. */
export interface KvList<T = JsonValue> extends AsyncIterable<KvEntry<T>> {
  /** One array per request, each holding the live entries of that page (possibly empty). */
  pages(): AsyncIterable<KvEntry<T>[]>
}

/** `setMany`'s input: a plain object of key → value, or `[key, value]` pairs (a Map, an array). */
export type KvEntries = Record<string, unknown> | Iterable<readonly [string, unknown]>

/** Resends of a batch's unprocessed leftovers. */
const BATCH_RETRIES = 8
/** Rounds of `update` against concurrent creation of the same key. */
const UPDATE_ROUNDS = 10
/** The furthest expiry accepted: 10 years, a bound that catches units mixed up (ms as seconds). */
const MAX_EXPIRY_SECONDS = 10 * 365 * 24 * 3600

/**
 * Key-value data in one namespace: `whimsy.kv` itself, or an app's (`whimsy.kv.app('paint')`).
 * Values are any JSON; keys are non-empty strings of up to 1,024 bytes of UTF-8.
 */
export class KeyValueStore {
  private readonly prefix: string

  /** @internal Built by `createWhimsy` and `kv.app()`. */
  constructor(
    protected readonly ctx: WhimsyContext,
    /** The app's name, or `''` for `whimsy.kv` itself. */
    readonly namespace = '',
  ) {
    this.prefix = namespacePrefix(namespace)
  }

  /**
   * Calls `listener` for each change of a key starting with `prefix` in this namespace, from any device.
   * @example
   * const stop = whimsy.kv.app('notes').watch('note/', (c) => c.type === 'change' && reload(c.key))
   */
  watch(prefix: string, listener: (event: ChangeEvent) => void, options?: { since?: number }): () => void {
    return watchKeys(this.ctx, this.prefix, prefix, listener, options)
  }

  /**
   * Reads a value: `null` when the key has none (or it expired) — and for a stored `null`;
   * `{ meta: true }` tells them apart, giving the whole entry with its version, `updatedAt`
   * and `expiresAt`, or `null` when there is none.
   * @example
   * const theme = await whimsy.kv.get('settings/theme') // { dark: true } or null
   * const entry = await whimsy.kv.get('doc', { meta: true }) // { key, value, version, updatedAt }
   */
  get<T = JsonValue>(key: string, options?: KvCallOptions & { meta?: false }): Promise<T | null>
  get<T = JsonValue>(key: string, options: KvCallOptions & { meta: true }): Promise<KvEntry<T> | null>
  get<T = JsonValue>(key: string, options?: KvCallOptions & { meta?: boolean }): Promise<T | KvEntry<T> | null>
  async get<T = JsonValue>(key: string, options: KvCallOptions & { meta?: boolean } = {}): Promise<T | KvEntry<T> | null> {
    checkKnown('kv.get', options, { meta: is.boolean, signal: is.signal })
    const sk = storedKey(this.prefix, key)
    const { signal } = options
    checkNotAborted('kv.get', signal)
    const item = await this.call(describeKey(key), (id) =>
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
      this.send<GetItemCommandOutput>(new GetItemCommand({ TableName: this.table, Key: itemKey(id, sk), ConsistentRead: true }), signal).then((r) => r.Item),
    )
    const entry = this.entry<T>(item, Date.now())
    if (!entry) return null
    return options.meta ? entry : entry.value
  }

  /**
   * Writes a value (any JSON), replacing the old one and its expiry. Resolves to the new version.
   * @example
   * await whimsy.kv.set('settings/theme', { dark: true })
   * await whimsy.kv.set('counter', 1, { ifAbsent: true })        // Conflict if it exists
   * await whimsy.kv.set('doc', next, { ifVersion: entry.version }) // Conflict if changed meanwhile
   * await whimsy.kv.set('session', token, { ttl: 3600 })           // gone in an hour
   */
  async set(key: string, value: unknown, options: KvSetOptions = {}): Promise<KvMeta> {
    const sk = storedKey(this.prefix, key)
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
      const item = await this.call(what, (id) =>
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
        // UpdateItem, not PutItem: it replaces every attribute the SDK writes and still adds 1 to the version.
        this.send<UpdateItemCommandOutput>(
          new UpdateItemCommand({ TableName: this.table, Key: itemKey(id, sk), ...parts, ReturnValues: 'UPDATED_NEW' }),
          signal,
        ).then((r) => r.Attributes ?? {}),
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

  /**
   * Changes fields of an object value atomically on the server: `set` fields, `add` to numeric
   * ones (a missing field counts as 0), `remove` fields. A missing key starts as `{}`. Resolves
   * to the entry after the change. Refused with `InvalidInput` when the value is not an object.
   * @example
   * await whimsy.kv.update('stats', { add: { visits: 1 } })
   * await whimsy.kv.update('prefs', { set: { lang: 'fr' }, remove: ['legacy'] })
   */
  async update<T = JsonValue>(key: string, changes: KvUpdate, options: KvUpdateOptions = {}): Promise<KvEntry<T>> {
    const sk = storedKey(this.prefix, key)
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
        const item = await this.call(what, (id) =>
          this.send<UpdateItemCommandOutput>(
            new UpdateItemCommand({
              TableName: this.table,
              Key: itemKey(id, sk),
              ...updateExpression(changes, { nowMs, expiresAt, ifVersion }),
              ReturnValues: 'ALL_NEW',
            }),
            signal,
          ).then((r) => r.Attributes ?? {}),
        )
        return this.entry<T>(item, -Infinity) as KvEntry<T>
      } catch (e) {
        // A failed condition; AWS may instead call a path into a missing `fields` map invalid.
        const absentPath = e instanceof WhimsyError && /document path/i.test(String((e.cause as Error | undefined)?.message))
        if (!(e instanceof WhimsyError && e.code === 'Conflict') && !absentPath)
          throw await this.updateError(
            e,
            what,
            sk,
            ops.flatMap((op) => (op.kind === 'add' ? [op.field] : [])),
          )
      }
      // The condition failed: find out why, with a consistent read.
      const current = await this.call(what, (id) =>
        this.send<GetItemCommandOutput>(new GetItemCommand({ TableName: this.table, Key: itemKey(id, sk), ConsistentRead: true }), signal).then((r) => r.Item),
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
        const item = await this.call(what, (id) =>
          this.send<UpdateItemCommandOutput>(
            new UpdateItemCommand({ TableName: this.table, Key: itemKey(id, sk), ...parts, ReturnValues: 'ALL_NEW' }),
            signal,
          ).then((r) => r.Attributes ?? {}),
        )
        return this.entry<T>(item, -Infinity) as KvEntry<T>
      } catch (e) {
        if (!(e instanceof WhimsyError && e.code === 'Conflict')) throw e
      }
    }
    throw new WhimsyError('Conflict', `kv.update: ${what} kept changing under concurrent writers; try again.`)
  }

  /**
   * Deletes a key. Resolves to whether it had a (live) value. With `ifVersion`, deletes only
   * that version, else `Conflict`.
   * @example
   * await whimsy.kv.delete('settings/theme')
   */
  async delete(key: string, options: KvDeleteOptions = {}): Promise<boolean> {
    const sk = storedKey(this.prefix, key)
    const what = describeKey(key)
    checkOptions(options, ['ifVersion'], 'kv.delete')
    const ifVersion = versionOf(options.ifVersion)
    const { signal } = options
    checkNotAborted('kv.delete', signal)
    const nowMs = Date.now()
    try {
      const old = await this.call(what, (id) =>
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
        this.send<DeleteItemCommandOutput>(
          new DeleteItemCommand({ TableName: this.table, Key: itemKey(id, sk), ...deleteExpression({ nowMs, ifVersion }), ReturnValues: 'ALL_OLD' }),
          signal,
        ).then((r) => r.Attributes),
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
   * Lists entries in key order (UTF-8 bytes), a page per request; expired entries are skipped.
   * @example
   * for await (const { key, value } of whimsy.kv.list({ prefix: 'settings/' })) console.log(key, value)
   * for await (const page of whimsy.kv.list({ limit: 500 }).pages()) render(page)
   */
  list<T = JsonValue>(options: KvListOptions = {}): KvList<T> {
    const { storedPrefix, after, limit, pageSize, position } = planList(this.prefix, options)
    const { signal } = options
    checkNotAborted('kv.list', signal)

    const pages = async function* (this: KeyValueStore): AsyncGenerator<KvEntry<T>[]> {
      if (position === 'none') return
      let remaining = limit
      let start: Item | undefined
      let first = true
      while (remaining > 0 && (first || start)) {
        const exclusiveStart = first ? position : 'page'
        first = false
        const nowMs = Date.now()
        const page: QueryCommandOutput = await this.call('kv.list', (id) =>
          // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
          this.send<QueryCommandOutput>(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: '#pk = :id AND begins_with(#sk, :prefix)',
              FilterExpression: 'attribute_not_exists(#exp) OR #exp > :nowSec',
              ExpressionAttributeNames: { '#pk': ATTR.partition, '#sk': ATTR.sort, '#exp': ATTR.expiresAt },
              ExpressionAttributeValues: { ':id': { S: id }, ':prefix': { S: storedPrefix }, ':nowSec': { N: String(nowMs / 1000) } },
              ExclusiveStartKey: exclusiveStart === 'after' ? itemKey(id, after as string) : exclusiveStart === 'page' ? start : undefined,
              // Not min(pageSize, remaining): Limit counts items before the expiry filter, so a
              // small limit would take a request per expired item. This loop stops at `limit`.
              Limit: pageSize,
              ConsistentRead: true,
            }),
            signal,
          ),
        )
        start = page.LastEvaluatedKey
        const entries: KvEntry<T>[] = []
        for (const item of page.Items ?? []) {
          const entry = this.entry<T>(item, nowMs)
          if (entry && remaining > 0) {
            entries.push(entry)
            remaining--
          }
        }
        yield entries
      }
    }.bind(this)

    return {
      pages,
      async *[Symbol.asyncIterator]() {
        for await (const page of pages()) yield* page
      },
    }
  }

  /**
   * Reads many keys at once (100 per request). Resolves to their values in the same order,
   * `null` where a key has none; with `{ meta: true }`, to whole entries (as `get` gives them)
   * or `null`.
   * @example
   * const [theme, lang] = await whimsy.kv.getMany(['settings/theme', 'settings/lang'])
   * const [doc] = await whimsy.kv.getMany(['doc'], { meta: true }) // { key, value, version, updatedAt } or null
   */
  getMany<T = JsonValue>(keys: readonly string[], options?: KvCallOptions & { meta?: false }): Promise<(T | null)[]>
  getMany<T = JsonValue>(keys: readonly string[], options: KvCallOptions & { meta: true }): Promise<(KvEntry<T> | null)[]>
  getMany<T = JsonValue>(keys: readonly string[], options?: KvCallOptions & { meta?: boolean }): Promise<(T | KvEntry<T> | null)[]>
  async getMany<T = JsonValue>(keys: readonly string[], options: KvCallOptions & { meta?: boolean } = {}): Promise<(T | KvEntry<T> | null)[]> {
    if (!Array.isArray(keys)) throw invalid('kv.getMany', 'keys', 'an array of keys', keys)
    checkKnown('kv.getMany', options, { meta: is.boolean, signal: is.signal })
    const { signal } = options
    const stored = keys.map((k) => storedKey(this.prefix, k))
    const unique = [...new Set(stored)]
    checkNotAborted('kv.getMany', signal)
    const found = new Map<string, Item>()
    const table = this.table
    await this.call('kv.getMany', async (id) => {
      for (const chunk of chunks(unique, BATCH_GET_LIMIT)) {
        const request: KeysAndAttributes = { Keys: chunk.map((sk) => itemKey(id, sk)), ConsistentRead: true }
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
        await drain(
          request,
          async (req) => {
            const out = await this.send<BatchGetItemCommandOutput>(new BatchGetItemCommand({ RequestItems: { [table]: req } }), signal)
            for (const item of out.Responses?.[table] ?? []) found.set(item[ATTR.sort]?.S as string, item)
            const left = out.UnprocessedKeys?.[table]
            return left?.Keys?.length ? left : undefined
          },
          { retries: BATCH_RETRIES, count: (req) => req.Keys?.length ?? 0 },
        )
      }
    })
    const nowMs = Date.now()
    return stored.map((sk) => {
      const entry = this.entry<T>(found.get(sk), nowMs)
      if (!entry) return null
      return options.meta ? entry : entry.value
    })
  }

  /**
   * Deletes many keys at once (25 per request); keys without a value are no error. Not
   * conditional (use `delete` with `ifVersion`), and not atomic across batches: a failure
   * part-way leaves earlier batches deleted, and running it again finishes.
   * @example
   * await whimsy.kv.deleteMany(['settings/theme', 'settings/lang'])
   */
  async deleteMany(keys: readonly string[], options: KvCallOptions = {}): Promise<void> {
    if (!Array.isArray(keys)) throw invalid('kv.deleteMany', 'keys', 'an array of keys', keys)
    checkKnown('kv.deleteMany', options, { signal: is.signal })
    const { signal } = options
    // BatchWriteItem refuses a request that names one key twice.
    const unique = [...new Set(keys.map((k) => storedKey(this.prefix, k)))]
    checkNotAborted('kv.deleteMany', signal)
    if (unique.length === 0) return
    const table = this.table
    await this.call('kv.deleteMany', async (id) => {
      for (const chunk of chunks(unique, BATCH_WRITE_LIMIT)) {
        const requests: WriteRequest[] = chunk.map((sk) => ({ DeleteRequest: { Key: itemKey(id, sk) } }))
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
        await drain(
          requests,
          async (req) => {
            const out = await this.send<BatchWriteItemCommandOutput>(new BatchWriteItemCommand({ RequestItems: { [table]: req } }), signal)
            const left = out.UnprocessedItems?.[table]
            return left?.length ? left : undefined
          },
          { retries: BATCH_RETRIES, count: (req) => req.length },
        )
      }
    })
  }

  /**
   * Writes many values at once (25 per request), each replacing the old value; not
   * conditional (use `set` for `ifAbsent`/`ifVersion`). Every entry is checked before the first
   * request; a failure part-way leaves earlier batches written.
   * @example
   * await whimsy.kv.setMany({ 'settings/theme': { dark: true }, 'settings/lang': 'fr' })
   */
  async setMany(entries: KvEntries, options: KvExpiry & KvCallOptions = {}): Promise<void> {
    checkOptions(options, ['ttl', 'expiresAt'], 'kv.setMany')
    const { signal } = options
    // Not Object.entries of anything: of a string it gives keys "0", "1", "2"…
    if (!isIterable(entries) && !isPlainObject(entries))
      throw invalid('kv.setMany', 'entries', 'an object of key → value, a Map or [key, value] pairs', entries)
    const pairs = isIterable(entries) ? [...entries] : Object.entries(entries)
    const expiresAt = expiryOf(options)
    const seen = new Set<string>()
    const prepared = pairs.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new WhimsyError('InvalidInput', 'kv.setMany takes an object of key → value, or [key, value] pairs.')
      const [key, value] = pair as [string, unknown]
      const sk = storedKey(this.prefix, key)
      if (seen.has(sk)) throw new WhimsyError('InvalidInput', `kv.setMany: the key ${JSON.stringify(key)} appears twice.`)
      seen.add(sk)
      const what = describeKey(key)
      const encoded = encodeValue(checkJson(value, what))
      checkItemSize(sk, encoded, what)
      return { sk, encoded }
    })
    checkNotAborted('kv.setMany', signal)
    if (prepared.length === 0) return
    const table = this.table
    await this.call('kv.setMany', async (id) => {
      const nowMs = Date.now()
      for (const chunk of chunks(prepared, BATCH_WRITE_LIMIT)) {
        const requests: WriteRequest[] = chunk.map(({ sk, encoded }) => ({
          PutRequest: {
            Item: {
              ...itemKey(id, sk),
              ...encoded,
              [ATTR.version]: { N: String(randomVersion()) },
              [ATTR.updatedAt]: { N: String(nowMs) },
              ...(expiresAt === undefined ? {} : { [ATTR.expiresAt]: { N: String(expiresAt) } }),
            },
          },
        }))
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
        await drain(
          requests,
          async (req) => {
            const out = await this.send<BatchWriteItemCommandOutput>(new BatchWriteItemCommand({ RequestItems: { [table]: req } }), signal)
            const left = out.UnprocessedItems?.[table]
            return left?.length ? left : undefined
          },
          { retries: BATCH_RETRIES, count: (req) => req.length },
        )
      }
    })
  }

  // ————— internals —————

  private get table(): string {
    return this.ctx.config.table
  }

  /**
   * The document client shares the base client's middleware and sends raw (AttributeValue)
   * commands unchanged; raw commands keep the representation in `kv-values.ts`, not in
   * lib-dynamodb's marshalling.
   */
  private send<O>(command: DynamoDbCommand, signal?: AbortSignal): Promise<O> {
    return this.ctx.ddb.send<O>(command, { signal })
  }

  /** Runs a request with the session's identityId (retried once on expired credentials); errors mapped. */
  private async call<R>(what: string, run: (identityId: string) => Promise<R>): Promise<R> {
    try {
      return await this.ctx.auth.withCredentials((credentials) => run(credentials.identityId))
    } catch (e) {
      const err = toWhimsyError(e, what)
      // An item grown past the limit by an update (which no check before the request can size):
      // "Item size to update has exceeded the maximum allowed size" (PutItem: "Item size has…").
      if (err.code === 'InvalidInput' && /item size .*exceeded the maximum allowed size/i.test(String((err.cause as Error | undefined)?.message)))
        throw new WhimsyError('InvalidInput', tooLargeMessage(what), { cause: err.cause, status: err.status })
      throw err
    }
  }

  /**
   * An update's error, with `add` on a field that is not a DynamoDB number explained: a consistent
   * read finds the field, and says whether it holds no number or a number stored as text.
   */
  private async updateError(e: unknown, what: string, sk: string, addFields: string[]): Promise<WhimsyError> {
    const err = e instanceof WhimsyError ? e : toWhimsyError(e, what)
    const cause = (err.cause ?? {}) as { message?: string }
    if (!(err.code === 'InvalidInput' && /incorrect data type/i.test(cause.message ?? ''))) return err
    const item = await this.call(what, (id) =>
      this.send<GetItemCommandOutput>(new GetItemCommand({ TableName: this.table, Key: itemKey(id, sk), ConsistentRead: true })).then((r) => r.Item),
    ).catch(() => undefined)
    const failure = addFailure(item, addFields)
    const message = !failure
      ? `kv.update: ${what} has a field that is not a number, so "add" cannot change it.`
      : failure.stored === 'number'
        ? `kv.update: ${what}, field "${failure.field}" holds ${failure.text}, a number the SDK stores as text so that it reads back exactly ("add" works on DynamoDB numbers, and only ${ADDABLE_NUMBERS} are stored as those); read it and set the new value instead.`
        : `kv.update: ${what}, field "${failure.field}" is not a number, so "add" cannot change it.`
    return new WhimsyError('InvalidInput', message, { cause: err.cause, status: err.status })
  }

  /** An item as an entry, or undefined when absent, expired at `nowMs`, or not the SDK's. */
  private entry<T>(item: Item | undefined, nowMs: number): KvEntry<T> | undefined {
    if (!item || isExpired(item, nowMs)) return undefined
    const value = decodeValue(item)
    const sk = item[ATTR.sort]?.S
    if (value === undefined || sk === undefined) return undefined
    return { key: appKey(this.prefix, sk) ?? sk, value: value as T, ...metaOf(item) }
  }
}

/**
 * `whimsy.kv`: the user's own key-value data, plus `app(name)` for a namespace per app.
 */
export class KeyValue extends KeyValueStore {
  /**
   * The same API under an app's own namespace: its keys never meet another app's or
   * `whimsy.kv`'s, and its `list` sees only its own.
   * @example
   * const paint = whimsy.kv.app('paint')
   * await paint.set('brush', { size: 4 }) // not whimsy.kv.get('brush'), not whimsy.kv.app('notes').get('brush')
   */
  app(name: string): KeyValueStore {
    return new KeyValueStore(this.ctx, checkAppName(name))
  }
}

function itemKey(identityId: string, sk: string): Item {
  return { [ATTR.partition]: { S: identityId }, [ATTR.sort]: { S: sk } }
}

function metaOf(item: Item): KvMeta {
  const meta: KvMeta = { version: Number(item[ATTR.version]?.N ?? 0), updatedAt: new Date(Number(item[ATTR.updatedAt]?.N ?? 0)) }
  const exp = item[ATTR.expiresAt]?.N
  if (exp !== undefined) meta.expiresAt = new Date(Number(exp) * 1000)
  return meta
}

function describeKey(key: string): string {
  return `kv key ${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key)}`
}

/**
 * The expiry as epoch seconds, refusing what would silently write an item that is already gone
 * or never goes: `expiresAt` in the past, epoch seconds given for milliseconds (a number below
 * 1e12 is before September 2001 in ms, but 33,000 years ahead in seconds), and anything past
 * 10 years, which also keeps non-finite and huge numbers out of the request.
 */
function expiryOf(options: KvExpiry, nowMs = Date.now()): number | undefined {
  const { ttl, expiresAt } = options
  if (ttl !== undefined && expiresAt !== undefined) throw new WhimsyError('InvalidInput', 'Give ttl or expiresAt, not both.')
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || !(ttl > 0) || ttl > MAX_EXPIRY_SECONDS)
      throw new WhimsyError(
        'InvalidInput',
        `ttl is a number of seconds above 0 and at most 10 years (${MAX_EXPIRY_SECONDS.toLocaleString('en')}); got ${String(ttl)}.`,
      )
    return expirySeconds(new Date(nowMs + ttl * 1000))
  }
  if (expiresAt !== undefined) {
    const ms = expiresAt instanceof Date ? expiresAt.getTime() : typeof expiresAt === 'number' ? expiresAt : Number.NaN
    if (!Number.isFinite(ms)) throw new WhimsyError('InvalidInput', 'expiresAt is a Date or epoch milliseconds.')
    if (ms < 1e12)
      throw new WhimsyError(
        'InvalidInput',
        `expiresAt is milliseconds since the epoch (a Date or Date.now()+…); ${ms} looks like seconds, or a time long past.`,
      )
    if (ms <= nowMs) throw new WhimsyError('InvalidInput', `expiresAt ${new Date(ms).toISOString()} is in the past; an expiry is a time to come.`)
    if (ms > nowMs + MAX_EXPIRY_SECONDS * 1000) throw new WhimsyError('InvalidInput', `expiresAt ${new Date(ms).toISOString()} is more than 10 years ahead.`)
    return expirySeconds(new Date(ms))
  }
  return undefined
}

function versionOf(v: unknown): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new WhimsyError('InvalidInput', 'ifVersion is a version number from a previous get, set or update.')
  return v
}

/** Known option names; their values are checked where they are used (`expiryOf`, `versionOf`…), with messages of their own. */
function checkOptions(options: object, known: string[], what: string): void {
  const checkedLater: Rule = () => undefined
  checkKnown(what, options, { ...Object.fromEntries(known.map((k) => [k, checkedLater])), signal: is.signal })
}

function isIterable(v: unknown): v is Iterable<readonly [string, unknown]> {
  return typeof v === 'object' && v !== null && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
}
