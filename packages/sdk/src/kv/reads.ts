/** `kv.get`: one key, read consistently. */
import type { GetItemCommandOutput } from '@aws-sdk/client-dynamodb'
import { checkNotAborted } from '../abort.js'
import { checkOptions as checkKnown, is } from '../args.js'
import { GetItemCommand } from '../transport/dynamodb.js'
import { storedKey } from './keys.js'
import { describeKey, itemKey, type KvTable } from './table.js'
import type { KvCallOptions, KvEntry } from './types.js'
import type { JsonValue } from './values.js'

export async function get<T = JsonValue>(t: KvTable, key: string, options: KvCallOptions & { meta?: boolean } = {}): Promise<T | KvEntry<T> | null> {
  checkKnown('kv.get', options, { meta: is.boolean, signal: is.signal })
  const sk = storedKey(t.prefix, key)
  const { signal } = options
  checkNotAborted('kv.get', signal)
  const item = await t.call(describeKey(key), (id) =>
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
    t
      .send<GetItemCommandOutput>(new GetItemCommand({ TableName: t.table, Key: itemKey(id, sk), ConsistentRead: true }), signal)
      .then((r) => r.Item),
  )
  const entry = t.entry<T>(item, Date.now())
  if (!entry) return null
  return options.meta ? entry : entry.value
}
