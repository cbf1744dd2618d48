/**
 * Reads the user's change log with their own credentials (DynamoDB `Query` on their partition:
 * the only one their policy lets them read). Pure reading; what to deliver is `feed.ts`'s.
 */

import type { AttributeValue, QueryCommandOutput } from '@aws-sdk/client-dynamodb'
import type { WhimsyContext } from '../whimsy-context.js'

/** The small DynamoDB client, loaded with the first read (kv may not have loaded it). */
export async function dynamoDb(ctx: WhimsyContext) {
  const [transport] = await Promise.all([import('../transport/dynamodb.js'), ctx.loadDynamoDb?.()])
  return { ddb: ctx.ddb, ...transport }
}

export interface LogEntry {
  seq: number
  eventId: string
  kind: 'file' | 'kv'
  op: 'put' | 'delete'
  path?: string
  key?: string
  etag?: string
  versionId?: string
  version?: number
  size?: number
  time: number
}

/** Entries at or after `from`, in order: at most `limit` (one or more Query pages). */
export async function readLog(ctx: WhimsyContext, table: string, from: number, limit = 1000): Promise<LogEntry[]> {
  const entries: LogEntry[] = []
  let start: Record<string, AttributeValue> | undefined
  const { ddb, QueryCommand } = await dynamoDb(ctx)
  await ctx.auth.withCredentials(async ({ identityId }) => {
    do {
      const page: QueryCommandOutput = await ddb.send<QueryCommandOutput>(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'identityId = :id AND seq >= :from',
          ExpressionAttributeValues: { ':id': { S: identityId }, ':from': { N: String(Math.max(from, 1)) } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          Limit: Math.min(limit - entries.length, 500),
        }),
      )
      for (const item of page.Items ?? []) entries.push(entryOf(item))
      start = page.LastEvaluatedKey
    } while (start && entries.length < limit)
  })
  return entries
}

/** The last sequence number handed out in the user's log (0 for an empty log). */
export async function readHead(ctx: WhimsyContext, table: string): Promise<number> {
  const { ddb, GetItemCommand } = await dynamoDb(ctx)
  return ctx.auth.withCredentials(async ({ identityId }) => {
    const out = await ddb.send<{ Item?: Record<string, AttributeValue> }>(
      new GetItemCommand({ TableName: table, Key: { identityId: { S: identityId }, seq: { N: '0' } }, ConsistentRead: true }),
    )
    return Number(out.Item?.head?.N ?? 0)
  })
}

export function entryOf(item: Record<string, AttributeValue>): LogEntry {
  const entry: LogEntry = {
    seq: Number(item.seq?.N),
    eventId: item.eventId?.S ?? '',
    kind: item.kind?.S === 'kv' ? 'kv' : 'file',
    op: item.op?.S === 'delete' ? 'delete' : 'put',
    time: Number(item.time?.N ?? 0),
  }
  if (item.path?.S !== undefined) entry.path = item.path.S
  if (item.key?.S !== undefined) entry.key = item.key.S
  if (item.etag?.S !== undefined) entry.etag = item.etag.S
  if (item.versionId?.S !== undefined) entry.versionId = item.versionId.S
  if (item.version?.N !== undefined) entry.version = Number(item.version.N)
  if (item.size?.N !== undefined) entry.size = Number(item.size.N)
  return entry
}
