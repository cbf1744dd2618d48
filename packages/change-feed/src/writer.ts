/**
 * The feed writer: appends committed changes to their owners' change logs. Pure code over
 * DynamoDB calls, run by the production Lambda and by the local cloud alike.
 *
 * Without transactions (dynalite has none, and one conditional write per step is cheaper), each
 * change goes through steps that are each safe to repeat:
 *   1. the key's last sequencer is raised with a condition; when it is not newer, the event's
 *      marker (step 4) tells a repeated delivery, the same sequencer without a marker the retry
 *      of an append cut short, and anything else an event older than one already logged for
 *      its key, which stops here, so a key's entries never go back in time;
 *   2. the head counter is incremented (the entry's seq), 3. the entry is written,
 *   4. the marker is written.
 * A crash between 1 and 4 makes the retry append again, with the same eventId: at least once,
 * and the SDK drops the duplicate. Changes of one identity are appended one batch at a time in
 * this process (a batch's claims one by one, then one counter increment for the batch, then its
 * entries and markers in batch writes), so seq order is per-key commit order.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb'
import { type ChangeInput, DEFAULT_RETENTION_SECONDS, eventMarkerPartition, keyStatePartition, PARTITION, SORT } from './change-log.js'

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
          const claimed: number[] = []
          for (const i of indexes) {
            const claim = await this.claim(changes[i] as ChangeInput)
            if (claim === 'claimed') claimed.push(i)
            else outcomes[i] = { skipped: claim }
          }
          const head = await this.appendClaimed(
            identityId,
            claimed.map((i) => changes[i] as ChangeInput),
          )
          claimed.forEach((i, k) => {
            outcomes[i] = { appended: head - claimed.length + 1 + k }
          })
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

  /** Step 1 for one change: whether it is to be appended. */
  private async claim(change: ChangeInput): Promise<'claimed' | 'duplicate' | 'superseded'> {
    const { ddb, table } = this.options
    const marker = { [PARTITION]: { S: eventMarkerPartition(change.identityId, change.eventId) }, [SORT]: { N: '0' } }
    const expiresAt = Math.floor(this.now().getTime() / 1000) + this.retention
    const keyState = { [PARTITION]: { S: keyStatePartition(change.identityId, change.kind, change.name) }, [SORT]: { N: '0' } }
    try {
      // Strictly newer than what is logged for the key: the common case costs one write here.
      await ddb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: keyState,
          UpdateExpression: 'SET sequencer = :s, expiresAt = :e',
          ConditionExpression: 'attribute_not_exists(sequencer) OR sequencer < :s',
          ExpressionAttributeValues: { ':s': { S: change.sequencer }, ':e': { N: String(expiresAt) } },
        }),
      )
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException')) throw e
      // Not newer: a repeat (its marker says it was appended), the retry of an append cut short
      // after the claim (same sequencer, no marker: go on), or an older event (superseded).
      const seen = await ddb.send(new GetItemCommand({ TableName: table, Key: marker, ConsistentRead: true }))
      if (seen.Item) return 'duplicate'
      const state = await ddb.send(new GetItemCommand({ TableName: table, Key: keyState, ConsistentRead: true }))
      if (state.Item?.sequencer?.S !== change.sequencer) return 'superseded'
    }
    return 'claimed'
  }

  /**
   * Steps 2 to 4 for the claimed changes of one identity, in order: one counter increment for
   * all of them, then their entries, then their markers (a marker never precedes its entry).
   * Returns the new head (0 when there is nothing to append).
   */
  private async appendClaimed(identityId: string, claimed: ChangeInput[]): Promise<number> {
    if (claimed.length === 0) return 0
    const { ddb, table } = this.options
    const expiresAt = Math.floor(this.now().getTime() / 1000) + this.retention
    const counted = await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [PARTITION]: { S: identityId }, [SORT]: { N: '0' } },
        UpdateExpression: 'ADD head :n',
        ExpressionAttributeValues: { ':n': { N: String(claimed.length) } },
        ReturnValues: 'UPDATED_NEW',
      }),
    )
    const head = Number(counted.Attributes?.head?.N)
    const first = head - claimed.length + 1
    await this.putAll(claimed.map((change, k) => entryItem(change, first + k, expiresAt)))
    await this.putAll(
      claimed.map((change, k) => ({
        [PARTITION]: { S: eventMarkerPartition(change.identityId, change.eventId) },
        [SORT]: { N: '0' },
        at: { N: String(first + k) },
        expiresAt: { N: String(expiresAt) },
      })),
    )
    return head
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

function entryItem(change: ChangeInput, seq: number, expiresAt: number): Item {
  const item: Item = {
    [PARTITION]: { S: change.identityId },
    [SORT]: { N: String(seq) },
    eventId: { S: change.eventId },
    kind: { S: change.kind },
    op: { S: change.op },
    [change.kind === 'file' ? 'path' : 'key']: { S: change.name },
    time: { N: String(change.time) },
    expiresAt: { N: String(expiresAt) },
  }
  if (change.etag !== undefined) item.etag = { S: change.etag }
  if (change.versionId !== undefined) item.versionId = { S: change.versionId }
  if (change.version !== undefined) item.version = { N: String(change.version) }
  if (change.size !== undefined) item.size = { N: String(change.size) }
  return item
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
