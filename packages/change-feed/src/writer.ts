/**
 * The feed writer: appends committed changes to their owners' change logs. Pure code over
 * DynamoDB calls, run by the production Lambda and by the local cloud alike.
 *
 * Deliveries are unordered, may repeat, and in production two Lambda runs may append for one
 * user at once. Per-key order must hold whatever the delivery order, so the decision "this
 * event is newer than its key's head" and the handing out of its seq are made atomic by one
 * conditional write on the user's head item (seq 0): a write-ahead record, because dynalite
 * has no transactions and a transaction of 100 changes would need more than its 100 items.
 *   1. read the head item; if it holds a `pending` append (a run cut short or still running),
 *      apply that first (every step of it is safe to repeat) and read again;
 *   2. read the per-key heads of the batch's keys (the last sequencer appended, the file's size);
 *   3. decide each change: older than its key's head → `superseded`, not appended (below); the
 *      key head's own event → `duplicate`; else appended at the next seq, and the totals of
 *      current files (`bytes`, `files`) move by the size difference;
 *   4. one conditional update of the head item — `head` still what step 1 read, no `pending` —
 *      sets the new head, the new totals and `pending` (the entries and the new key heads). A
 *      concurrent run that got there first makes it fail: back to step 1, deciding again
 *      against the key heads that run wrote;
 *   5. apply `pending`: the entries (plain puts) and, beside them, the key heads (each
 *      conditional on its `at`, the seq that set it, so a slow run never moves one back), then
 *      remove `pending`.
 * So seq order is commit order per key, at least once (a change whose key head was claimed by
 * an older writer without an entry is appended again, with the same eventId; the SDK drops
 * duplicates), and the totals equal the sum over the key heads of existing files.
 *
 * A late event — older than one already logged for its key — is not appended. The log
 * promises both commit order per key and every committed change; a late event can only keep
 * one of them, and the order is what readers build on: a device mirroring the log would
 * otherwise put an older state over a newer one. Nothing a device needs is lost: the newer
 * entry describes the key's current state, and an overwritten file version stays in its version
 * history (`fs.versions`). The outcome says `superseded`.
 *
 * Key heads of existing files never expire (they hold the size the totals need); those of
 * deleted files and of key-value items expire with the log's retention.
 */
import { randomUUID } from 'node:crypto'
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb'
import { planAppend } from './append-plan.js'
import {
  type ChangeInput,
  DEFAULT_RETENTION_SECONDS,
  eventMarkerPartition,
  keyStatePartition,
  PARTITION,
  SORT,
  USAGE_BYTES,
  USAGE_FILES,
} from './change-log.js'

export interface ChangeLogWriterOptions {
  ddb: DynamoDBClient
  table: string
  retentionSeconds?: number
  /** The clock of `time` and `expiresAt`. Default: the real one. */
  now?: () => Date
  /** Called once a batch is in the log: "identity X's log reached N" (the doorbell). */
  onAppended?: (identityId: string, head: number) => void | Promise<void>
  /**
   * dynalite has no TTL: delete an identity's expired entries (by `now`) when appending to it,
   * as DynamoDB's TTL would. Production leaves this to the table's TTL.
   */
  deleteExpired?: boolean
}

export type AppendOutcome = { appended: number } | { skipped: 'duplicate' | 'superseded' }

type Item = Record<string, AttributeValue>

/** Changes per write-ahead record: keeps the head item far below DynamoDB's 400 KB. */
const CHUNK = 100
/** Attempts of step 4 against concurrent runs for one user before the delivery fails (and is retried by AWS). */
const MAX_ATTEMPTS = 60

export class ChangeLogWriter {
  private readonly queues = new Map<string, Promise<unknown>>()
  /** The expiry of each identity's oldest entry, once known: no query until it has passed. */
  private readonly oldestExpiry = new Map<string, number>()
  private readonly retention: number
  private readonly now: () => Date

  constructor(private readonly options: ChangeLogWriterOptions) {
    this.retention = options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS
    this.now = options.now ?? (() => new Date())
  }

  /**
   * Appends a batch (one delivery of S3 events or stream records). Within the batch each key's
   * changes are put in sequencer order first, as deliveries may arrive out of order.
   */
  async append(changes: readonly ChangeInput[]): Promise<AppendOutcome[]> {
    // Each key's changes keep the key's slots in the batch, re-ordered among them by sequencer.
    const slots = new Map<string, number[]>()
    changes.forEach((c, i) => {
      const name = `${c.identityId}\u0000${c.kind}\u0000${c.name}`
      slots.set(name, [...(slots.get(name) ?? []), i])
    })
    const order: number[] = new Array(changes.length)
    for (const indexes of slots.values()) {
      const sorted = [...indexes].sort((a, b) => compare((changes[a] as ChangeInput).sequencer, (changes[b] as ChangeInput).sequencer))
      indexes.forEach((slot, k) => {
        order[slot] = sorted[k] as number
      })
    }
    const byIdentity = new Map<string, number[]>()
    for (const i of order) {
      const id = (changes[i] as ChangeInput).identityId
      byIdentity.set(id, [...(byIdentity.get(id) ?? []), i])
    }
    const outcomes: AppendOutcome[] = new Array(changes.length)
    await Promise.all(
      [...byIdentity].map(([identityId, indexes]) =>
        this.serially(identityId, async () => {
          // Before appending: whoever sees the new entries sees the expired ones gone.
          if (this.options.deleteExpired) await this.deleteExpiredEntries(identityId)
          let head = 0
          for (let from = 0; from < indexes.length; from += CHUNK) {
            const chunk = indexes.slice(from, from + CHUNK)
            const done = await this.appendChunk(
              identityId,
              chunk.map((i) => changes[i] as ChangeInput),
            )
            chunk.forEach((i, k) => {
              outcomes[i] = done.outcomes[k] as AppendOutcome
            })
            head = Math.max(head, done.head)
          }
          if (head > 0) await this.options.onAppended?.(identityId, head)
        }),
      ),
    )
    return outcomes
  }

  /** Deletes every entry, the head and the bookkeeping of one identity (account deletion). */
  async erase(identityId: string): Promise<number> {
    return this.serially(identityId, () => eraseChangeLog(this.options.ddb, this.options.table, identityId))
  }

  private serially<T>(identityId: string, run: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(identityId) ?? Promise.resolve()
    const next = previous.then(run, run)
    const settled = next.catch(() => {})
    this.queues.set(identityId, settled)
    void settled.then(() => {
      if (this.queues.get(identityId) === settled) this.queues.delete(identityId)
    })
    return next
  }

  /** Steps 1 to 5 for up to CHUNK changes of one identity. `head`: the new head, 0 when nothing was appended. */
  private async appendChunk(identityId: string, changes: ChangeInput[]): Promise<{ outcomes: AppendOutcome[]; head: number }> {
    const { ddb, table } = this.options
    const headKey = { [PARTITION]: { S: identityId }, [SORT]: { N: '0' } }
    // The head of an append this run completed for another (crashed) one: rung for as well.
    let completed = 0
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const headItem = (await ddb.send(new GetItemCommand({ TableName: table, Key: headKey, ConsistentRead: true }))).Item
      if (headItem?.pending?.M) {
        await this.applyPending(identityId, headItem.pending.M)
        completed = Number(headItem.head?.N ?? 0)
        continue
      }
      // Only after the head item, never beside it: key heads read before a run's step 5 and a head
      // read after it would pass step 4's condition with a decision made on stale key heads.
      const keyHeads = await this.getAll([...new Set(changes.map((c) => keyStatePartition(c.identityId, c.kind, c.name)))])
      const plan = planAppend(changes, keyHeads, headItem, this.expiresAt())
      if (plan.entries.length === 0) return { outcomes: plan.outcomes, head: completed }
      const pending: Item = {
        id: { S: randomUUID() },
        entries: { L: plan.entries.map((M) => ({ M })) },
        keys: { L: plan.keyHeads.map((M) => ({ M })) },
      }
      const values: Item = { ':h': { N: String(plan.head) }, ':p': { M: pending } }
      let set = 'SET #h = :h, #p = :p'
      if (plan.totals) {
        set += ', #b = :b, #f = :f'
        values[':b'] = { N: String(plan.totals.bytes) }
        values[':f'] = { N: String(plan.totals.files) }
      }
      if (headItem) values[':old'] = headItem.head ?? { N: '0' }
      try {
        await ddb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: headKey,
            UpdateExpression: set,
            ConditionExpression: headItem ? '#h = :old AND attribute_not_exists(#p)' : 'attribute_not_exists(#h)',
            ExpressionAttributeNames: { '#h': 'head', '#p': 'pending', ...(plan.totals ? { '#b': USAGE_BYTES, '#f': USAGE_FILES } : {}) },
            ExpressionAttributeValues: values,
          }),
        )
      } catch (e) {
        if (!isConditionFailure(e)) throw e
        // Another run appended for this user meanwhile: decide again against what it wrote.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 5 * 2 ** attempt)))
        continue
      }
      await this.applyPending(identityId, pending)
      return { outcomes: plan.outcomes, head: plan.head }
    }
    throw new Error(`[change feed] ${MAX_ATTEMPTS} concurrent appends for one user in a row; the delivery is retried`)
  }

  /** Step 5: safe to repeat, and by any run (one that finds it left behind, or the one that wrote it). */
  private async applyPending(identityId: string, pending: Item): Promise<void> {
    const { ddb, table } = this.options
    // Entries and key heads are independent of each other: written side by side.
    await Promise.all([
      this.putAll((pending.entries?.L ?? []).flatMap((v) => (v.M ? [v.M] : []))),
      ...(pending.keys?.L ?? []).flatMap((v) =>
        v.M
          ? [
              ddb
                .send(
                  new PutItemCommand({
                    TableName: table,
                    Item: v.M,
                    ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
                    ExpressionAttributeNames: { '#at': 'at' },
                    ExpressionAttributeValues: { ':at': v.M.at as AttributeValue },
                  }),
                )
                .catch((e: unknown) => {
                  if (!isConditionFailure(e)) throw e
                }),
            ]
          : [],
      ),
    ])
    await ddb
      .send(
        new UpdateItemCommand({
          TableName: table,
          Key: { [PARTITION]: { S: identityId }, [SORT]: { N: '0' } },
          UpdateExpression: 'REMOVE #p',
          ConditionExpression: '#p.#id = :id',
          ExpressionAttributeNames: { '#p': 'pending', '#id': 'id' },
          ExpressionAttributeValues: { ':id': pending.id as AttributeValue },
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionFailure(e)) throw e
      })
  }

  /** Consistent reads of the items at seq 0 of these partitions, 100 to a request. */
  private async getAll(partitions: string[]): Promise<Map<string, Item>> {
    const { ddb, table } = this.options
    const found = new Map<string, Item>()
    for (let i = 0; i < partitions.length; i += 100) {
      let keys: Item[] = partitions.slice(i, i + 100).map((p) => ({ [PARTITION]: { S: p }, [SORT]: { N: '0' } }))
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)))
        const out = await ddb.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }))
        for (const item of out.Responses?.[table] ?? []) found.set(item[PARTITION]?.S as string, item)
        keys = out.UnprocessedKeys?.[table]?.Keys ?? []
      }
    }
    return found
  }

  private expiresAt(): number {
    return Math.floor(this.now().getTime() / 1000) + this.retention
  }

  /** Unconditional puts, 25 to a request, resending what DynamoDB leaves unprocessed. */
  private async putAll(items: Item[]): Promise<void> {
    const { ddb, table } = this.options
    for (let i = 0; i < items.length; i += 25) {
      let requests: WriteRequest[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }))
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)))
        const out: BatchWriteItemCommandOutput = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }))
        requests = out.UnprocessedItems?.[table] ?? []
      }
    }
  }

  /** Expired entries are the oldest ones (expiry grows with seq): delete from seq 1 up to the first live one. */
  private async deleteExpiredEntries(identityId: string): Promise<void> {
    const { ddb, table } = this.options
    const nowSeconds = Math.floor(this.now().getTime() / 1000)
    const known = this.oldestExpiry.get(identityId)
    if (known !== undefined && known > nowSeconds) return
    const page = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#p = :id AND #s > :zero',
        ExpressionAttributeNames: { '#p': PARTITION, '#s': SORT },
        ExpressionAttributeValues: { ':id': { S: identityId }, ':zero': { N: '0' } },
        Limit: 100,
      }),
    )
    this.oldestExpiry.delete(identityId)
    for (const item of page.Items ?? []) {
      const expiresAt = Number(item.expiresAt?.N ?? Number.POSITIVE_INFINITY)
      if (expiresAt > nowSeconds) {
        this.oldestExpiry.set(identityId, expiresAt)
        break
      }
      await ddb.send(new DeleteItemCommand({ TableName: table, Key: { [PARTITION]: { S: identityId }, [SORT]: item[SORT] as AttributeValue } }))
    }
  }
}

/**
 * Erases one identity's change log: its entries and head, and the writer's bookkeeping items
 * those entries name (event markers, per-key sequencers). Bookkeeping of entries already gone
 * expires with the table's TTL. Safe to run again after a partial run. For the trusted erase
 * function (account deletion); returns the number of entries deleted.
 */
export async function eraseChangeLog(ddb: DynamoDBClient, table: string, identityId: string): Promise<number> {
  let deleted = 0
  let start: Item | undefined
  do {
    const page: QueryCommandOutput = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#p = :id',
        ExpressionAttributeNames: { '#p': PARTITION },
        ExpressionAttributeValues: { ':id': { S: identityId } },
        ExclusiveStartKey: start,
      }),
    )
    for (const item of page.Items ?? []) {
      const seq = item[SORT] as AttributeValue
      const eventId = item.eventId?.S
      const kind = item.kind?.S as ChangeInput['kind'] | undefined
      const name = item.path?.S ?? item.key?.S
      // Bookkeeping first: an entry deleted before its marker would leave the marker unreachable.
      if (eventId)
        await ddb.send(new DeleteItemCommand({ TableName: table, Key: { [PARTITION]: { S: eventMarkerPartition(identityId, eventId) }, [SORT]: { N: '0' } } }))
      if (kind && name !== undefined)
        await ddb.send(new DeleteItemCommand({ TableName: table, Key: { [PARTITION]: { S: keyStatePartition(identityId, kind, name) }, [SORT]: { N: '0' } } }))
      await ddb.send(new DeleteItemCommand({ TableName: table, Key: { [PARTITION]: { S: identityId }, [SORT]: seq } }))
      if (seq.N !== '0') deleted++
    }
    start = page.LastEvaluatedKey
  } while (start)
  return deleted
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function isConditionFailure(e: unknown): boolean {
  return e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException'
}
