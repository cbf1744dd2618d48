/**
 * `fs.usage()` in one request: the totals of the user's current files (bytes, count) that the
 * change-feed writer keeps on the head item of their log (seq 0), which only they can read.
 * Answers `undefined` when there are none to trust — no change feed in this deployment, a log
 * begun before the writer kept totals (data that predates the feed), or a feed that has not
 * caught up with this device's own writes within a few seconds — and the caller counts by
 * listing instead.
 *
 * Read-your-writes: the writer runs after S3 commits, so a total read right after this
 * device's own upload could miss it. The versions this device wrote are known (own-writes.ts);
 * while some have not shown up in the log, its newest entries are read until they do.
 */
import type { AttributeValue, QueryCommandOutput } from '@aws-sdk/client-dynamodb'
import type { WhimsyContext } from '../whimsy-context.js'
import { dynamoDb, entryOf } from './log-reader.js'

export interface Usage {
  bytes: number
  files: number
}

/** How long own writes are waited for before the listing is the better answer. */
const OWN_WRITES_WAIT_MS = 3000
/** Entries read back from the log's end per look for own writes (a folder removal writes many). */
const TAIL = 1000

export async function readUsage(ctx: WhimsyContext, signal?: AbortSignal): Promise<Usage | undefined> {
  const table = ctx.config.changes?.table
  if (!table) return undefined
  try {
    const { ddb, GetItemCommand, QueryCommand } = await dynamoDb(ctx)
    return await ctx.auth.withCredentials(async ({ identityId }) => {
      const own = ctx.changes?.ownWrites
      const deadline = Date.now() + OWN_WRITES_WAIT_MS
      for (let wait = 25; own && own.pendingFiles > 0; wait = Math.min(400, wait * 2)) {
        const tail = await ddb.send<QueryCommandOutput>(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'identityId = :id AND seq > :zero',
            ExpressionAttributeValues: { ':id': { S: identityId }, ':zero': { N: '0' } },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: TAIL,
          }),
          { signal },
        )
        for (const item of tail.Items ?? []) own.confirm(entryOf(item))
        if (own.pendingFiles === 0) break
        if (Date.now() + wait > deadline) {
          own.forgetPendingFiles()
          return undefined
        }
        await new Promise((r) => setTimeout(r, wait))
      }
      // After the tail: the head item's totals are written before its entries, so they include them.
      const out = await ddb.send<{ Item?: Record<string, AttributeValue> }>(
        new GetItemCommand({ TableName: table, Key: { identityId: { S: identityId }, seq: { N: '0' } }, ConsistentRead: true }),
        { signal },
      )
      const bytes = out.Item?.bytes?.N
      const files = out.Item?.files?.N
      return bytes === undefined || files === undefined ? undefined : { bytes: Number(bytes), files: Number(files) }
    })
  } catch {
    // Whatever kept the totals from us (the feed's table unreachable, an abort), the listing
    // that follows reports it properly or answers anyway.
    return undefined
  }
}
