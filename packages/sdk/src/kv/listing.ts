/** `kv.list`: a namespace's live entries in key order, a Query per page. */
import type { QueryCommandOutput } from '@aws-sdk/client-dynamodb'
import { checkNotAborted } from '../abort.js'
import { QueryCommand } from '../transport/dynamodb.js'
import { planList } from './list-plan.js'
import { itemKey, type KvTable } from './table.js'
import type { KvEntry, KvList, KvListOptions } from './types.js'
import { ATTR, type Item, type JsonValue } from './values.js'

export function list<T = JsonValue>(t: KvTable, options: KvListOptions = {}): KvList<T> {
  const { storedPrefix, after, limit, pageSize, position } = planList(t.prefix, options)
  const { signal } = options
  checkNotAborted('kv.list', signal)

  const pages = async function* (): AsyncGenerator<KvEntry<T>[]> {
    if (position === 'none') return
    let remaining = limit
    let start: Item | undefined
    let first = true
    while (remaining > 0 && (first || start)) {
      const exclusiveStart = first ? position : 'page'
      first = false
      const nowMs = Date.now()
      const page: QueryCommandOutput = await t.call('kv.list', (id) =>
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
        t.send<QueryCommandOutput>(
          new QueryCommand({
            TableName: t.table,
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
        const entry = t.entry<T>(item, nowMs)
        if (entry && remaining > 0) {
          entries.push(entry)
          remaining--
        }
      }
      yield entries
    }
  }

  return {
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page
    },
  }
}
