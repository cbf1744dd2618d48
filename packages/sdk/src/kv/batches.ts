/**
 * `kv.getMany`, `kv.setMany` and `kv.deleteMany`: batch requests of 100 reads or 25 writes,
 * whose unprocessed leftovers (not errors) are resent by `batch-drain.ts`.
 */
import type { BatchGetItemCommandOutput, BatchWriteItemCommandOutput, KeysAndAttributes, WriteRequest } from '@aws-sdk/client-dynamodb'
import { checkNotAborted } from '../abort.js'
import { checkOptions as checkKnown, invalid, is, isPlainObject } from '../args.js'
import { WhimsyError } from '../errors.js'
import { BatchGetItemCommand, BatchWriteItemCommand } from '../transport/dynamodb.js'
import { BATCH_GET_LIMIT, BATCH_WRITE_LIMIT, chunks, drain } from './batch-drain.js'
import { storedKey } from './keys.js'
import { checkOptions, expiryOf } from './options.js'
import { describeKey, itemKey, type KvTable } from './table.js'
import type { KvCallOptions, KvEntries, KvEntry, KvExpiry } from './types.js'
import { ATTR, checkItemSize, checkJson, encodeValue, type Item, type JsonValue, randomVersion } from './values.js'

/** Resends of a batch's unprocessed leftovers. */
const BATCH_RETRIES = 8

export async function getMany<T = JsonValue>(
  t: KvTable,
  keys: readonly string[],
  options: KvCallOptions & { meta?: boolean } = {},
): Promise<(T | KvEntry<T> | null)[]> {
  if (!Array.isArray(keys)) throw invalid('kv.getMany', 'keys', 'an array of keys', keys)
  checkKnown('kv.getMany', options, { meta: is.boolean, signal: is.signal })
  const { signal } = options
  const stored = keys.map((k) => storedKey(t.prefix, k))
  const unique = [...new Set(stored)]
  checkNotAborted('kv.getMany', signal)
  const found = new Map<string, Item>()
  const table = t.table
  await t.call('kv.getMany', async (id) => {
    for (const chunk of chunks(unique, BATCH_GET_LIMIT)) {
      const request: KeysAndAttributes = { Keys: chunk.map((sk) => itemKey(id, sk)), ConsistentRead: true }
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
      await drain(
        request,
        async (req) => {
          const out = await t.send<BatchGetItemCommandOutput>(new BatchGetItemCommand({ RequestItems: { [table]: req } }), signal)
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
    const entry = t.entry<T>(found.get(sk), nowMs)
    if (!entry) return null
    return options.meta ? entry : entry.value
  })
}

export async function deleteMany(t: KvTable, keys: readonly string[], options: KvCallOptions = {}): Promise<void> {
  if (!Array.isArray(keys)) throw invalid('kv.deleteMany', 'keys', 'an array of keys', keys)
  checkKnown('kv.deleteMany', options, { signal: is.signal })
  const { signal } = options
  // BatchWriteItem refuses a request that names one key twice.
  const unique = [...new Set(keys.map((k) => storedKey(t.prefix, k)))]
  checkNotAborted('kv.deleteMany', signal)
  if (unique.length === 0) return
  const table = t.table
  await t.call('kv.deleteMany', async (id) => {
    for (const chunk of chunks(unique, BATCH_WRITE_LIMIT)) {
      const requests: WriteRequest[] = chunk.map((sk) => ({ DeleteRequest: { Key: itemKey(id, sk) } }))
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
      await drain(
        requests,
        async (req) => {
          const out = await t.send<BatchWriteItemCommandOutput>(new BatchWriteItemCommand({ RequestItems: { [table]: req } }), signal)
          const left = out.UnprocessedItems?.[table]
          return left?.length ? left : undefined
        },
        { retries: BATCH_RETRIES, count: (req) => req.length },
      )
    }
  })
}

export async function setMany(t: KvTable, entries: KvEntries, options: KvExpiry & KvCallOptions = {}): Promise<void> {
  checkOptions(options, ['ttl', 'expiresAt'], 'kv.setMany')
  const { signal } = options
  // Not Object.entries of anything: of a string it gives keys "0", "1", "2"…
  if (!isIterable(entries) && !isPlainObject(entries)) throw invalid('kv.setMany', 'entries', 'an object of key → value, a Map or [key, value] pairs', entries)
  const pairs = isIterable(entries) ? [...entries] : Object.entries(entries)
  const expiresAt = expiryOf(options)
  const seen = new Set<string>()
  const prepared = pairs.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new WhimsyError('InvalidInput', 'kv.setMany takes an object of key → value, or [key, value] pairs.')
    const [key, value] = pair as [string, unknown]
    const sk = storedKey(t.prefix, key)
    if (seen.has(sk)) throw new WhimsyError('InvalidInput', `kv.setMany: the key ${JSON.stringify(key)} appears twice.`)
    seen.add(sk)
    const what = describeKey(key)
    const encoded = encodeValue(checkJson(value, what))
    checkItemSize(sk, encoded, what)
    return { sk, encoded }
  })
  checkNotAborted('kv.setMany', signal)
  if (prepared.length === 0) return
  const table = t.table
  await t.call('kv.setMany', async (id) => {
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
          const out = await t.send<BatchWriteItemCommandOutput>(new BatchWriteItemCommand({ RequestItems: { [table]: req } }), signal)
          const left = out.UnprocessedItems?.[table]
          return left?.length ? left : undefined
        },
        { retries: BATCH_RETRIES, count: (req) => req.length },
      )
    }
  })
}

function isIterable(v: unknown): v is Iterable<readonly [string, unknown]> {
  return typeof v === 'object' && v !== null && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
}
