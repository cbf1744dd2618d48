/**
 * The handle registry: who holds which handle, in its own DynamoDB table that no user policy
 * grants (only the claim function and the edge's lookup read or write it).
 *
 * Two items per holder, one for each direction, in a table whose only key is `pk`:
 *   `handle#danielx`      → { identityId, since }   (the reservation)
 *   `owner#<identityId>`  → { handle, released? }   (the commitment; `released` = the handle a
 *                                                    rename gave up, until it is surely deleted)
 * A handle belongs to an identity only when both items agree. Every read checks both, so an
 * item left behind by a crash or a rename never routes anywhere.
 *
 * Without transactions (the local engine, dynalite, has none) a claim is three conditional
 * single-item writes, and every point between them is a safe state:
 *   1. reserve  put `handle#new` if absent, ours, or an abandoned reservation (unconfirmed and
 *               older than `staleAfterMs`)            → crash: a dangling reservation; `new`
 *               resolves nowhere, the old handle still works; claiming `new` again repairs it.
 *   2. commit   put `owner#id` = { new, released: old } if it still says what we read → crash:
 *               `new` resolves to us; the old reservation dangles and resolves nowhere, and the
 *               holder's next claim deletes it (it is named in `released`); until then anyone
 *               may take it over once it is stale.
 *   3. release  delete `handle#old` if it is still ours.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { checkHandle } from './handles.js'

export interface HandleRegistryOptions {
  client: DynamoDBClient
  table: string
  /** A reservation nobody confirmed for this long was abandoned by a crashed claim. Default 60 s. */
  staleAfterMs?: number
  now?: () => number
  /** Tests stop a claim between its steps by throwing here. */
  afterStep?: (step: 'reserve' | 'commit', detail: { handle: string; identityId: string }) => void | Promise<void>
}

export type ClaimResult =
  | { ok: true; handle: string; identityId: string; previous: string | null }
  | { ok: false; code: 'InvalidHandle' | 'HandleTaken'; message: string }

export type Availability = { handle: string; available: true } | { handle: string; available: false; reason: string }

type Reservation = { identityId: string; since: number }

export class HandleRegistry {
  private readonly client: DynamoDBClient
  private readonly table: string
  private readonly staleAfterMs: number
  private readonly now: () => number

  constructor(private readonly options: HandleRegistryOptions) {
    if (!options.client) throw new Error('HandleRegistry: `client` (a DynamoDBClient) is required')
    if (!options.table) throw new Error('HandleRegistry: `table` is required')
    this.client = options.client
    this.table = options.table
    this.staleAfterMs = options.staleAfterMs ?? 60_000
    this.now = options.now ?? Date.now
  }

  /** The identityId that holds `handle`, or null. */
  async lookup(handle: string): Promise<string | null> {
    if (!checkHandle(handle).ok) return null
    const reservation = await this.reservation(handle)
    if (!reservation) return null
    return (await this.committed(reservation.identityId)) === handle ? reservation.identityId : null
  }

  /** The handle `identityId` holds, or null. */
  async handleOf(identityId: string): Promise<string | null> {
    const handle = await this.committed(identityId)
    if (!handle) return null
    return (await this.reservation(handle))?.identityId === identityId ? handle : null
  }

  async available(name: string): Promise<Availability> {
    const check = checkHandle(name)
    if (!check.ok) return { handle: name, available: false, reason: check.reason }
    const reservation = await this.reservation(name)
    if (!reservation) return { handle: name, available: true }
    if ((await this.committed(reservation.identityId)) === name) return { handle: name, available: false, reason: 'This handle is taken' }
    if (this.isStale(reservation)) return { handle: name, available: true }
    return { handle: name, available: false, reason: 'This handle is being claimed; try again in a minute' }
  }

  /** Gives `handle` to `identityId`, releasing the handle it held before. */
  async claim(identityId: string, handle: string): Promise<ClaimResult> {
    const check = checkHandle(handle)
    if (!check.ok) return { ok: false, code: 'InvalidHandle', message: check.reason }
    // A concurrent claim by the same identity can move `owner#` between our read and step 2;
    // then start over (each attempt is itself safe to abandon).
    for (let attempt = 0; ; attempt++) {
      const owner = await this.owner(identityId)
      const previous = owner?.handle ?? null
      const reserved = await this.reserve(identityId, handle)
      if (!reserved) return { ok: false, code: 'HandleTaken', message: `The handle "${handle}" is taken` }
      await this.options.afterStep?.('reserve', { handle, identityId })
      if (!(await this.commit(identityId, handle, previous, owner?.released))) {
        if (attempt < 3) continue
        throw new Error('HandleRegistry: the claim kept racing another claim of the same identity')
      }
      // A claim that stalled past the stale period between steps 1 and 2 may have lost its
      // reservation to someone else: then take the commitment back and report the loss.
      if ((await this.reservation(handle))?.identityId !== identityId) {
        await this.uncommit(identityId, handle, owner)
        return { ok: false, code: 'HandleTaken', message: `The handle "${handle}" is taken` }
      }
      await this.options.afterStep?.('commit', { handle, identityId })
      if (previous && previous !== handle) await this.release(identityId, previous)
      // Repair: a rename that stopped after its commit left this reservation behind.
      if (owner?.released && owner.released !== handle && owner.released !== previous) await this.release(identityId, owner.released)
      return { ok: true, handle, identityId, previous: previous === handle ? null : previous }
    }
  }

  /**
   * Gives up the identity's handle (account deletion). The commitment goes first: once it is
   * gone no lookup resolves the handle, and a reservation left by a crash here is free after
   * the stale period, so every stopping point is safe.
   */
  async unclaim(identityId: string): Promise<string | null> {
    const owner = await this.owner(identityId)
    if (!owner) return null
    await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { pk: { S: `owner#${identityId}` } } }))
    await this.release(identityId, owner.handle)
    if (owner.released) await this.release(identityId, owner.released)
    return owner.handle
  }

  private isStale(r: Reservation): boolean {
    return this.now() - r.since > this.staleAfterMs
  }

  /** Step 1: take `handle#h` if it is free, already ours, or abandoned. */
  private async reserve(identityId: string, handle: string): Promise<boolean> {
    const item = { pk: { S: `handle#${handle}` }, identityId: { S: identityId }, since: { N: String(this.now()) } }
    try {
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR identityId = :me',
          ExpressionAttributeValues: { ':me': { S: identityId } },
        }),
      )
      return true
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e
    }
    const current = await this.reservation(handle)
    if (!current) return this.reserve(identityId, handle) // released meanwhile
    if (current.identityId === identityId) return true
    if ((await this.committed(current.identityId)) === handle || !this.isStale(current)) return false
    // Abandoned: replace exactly the reservation we judged, so two takers cannot both win.
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'identityId = :them AND since = :since',
          ExpressionAttributeValues: { ':them': { S: current.identityId }, ':since': { N: String(current.since) } },
        }),
      )
      return true
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false
      throw e
    }
  }

  /** Step 2: point `owner#id` at the new handle, if nobody moved it since we read `previous`. */
  private async commit(identityId: string, handle: string, previous: string | null, released: string | undefined): Promise<boolean> {
    const gaveUp = previous !== null && previous !== handle ? previous : released !== handle ? released : undefined
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { pk: { S: `owner#${identityId}` }, handle: { S: handle }, ...(gaveUp ? { released: { S: gaveUp } } : {}) },
          ...(previous === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'handle = :previous', ExpressionAttributeValues: { ':previous': { S: previous } } }),
        }),
      )
      return true
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false
      throw e
    }
  }

  /** Undoes step 2: `owner#id` back to what it was, if it still names `handle`. */
  private async uncommit(identityId: string, handle: string, before: { handle: string; released?: string } | null): Promise<void> {
    const condition = { ConditionExpression: 'handle = :h', ExpressionAttributeValues: { ':h': { S: handle } } }
    try {
      if (before)
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { pk: { S: `owner#${identityId}` }, handle: { S: before.handle }, ...(before.released ? { released: { S: before.released } } : {}) },
            ...condition,
          }),
        )
      else await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { pk: { S: `owner#${identityId}` } }, ...condition }))
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e
    }
  }

  /** Step 3: drop the old reservation, only if it is still ours. */
  private async release(identityId: string, handle: string): Promise<void> {
    try {
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { pk: { S: `handle#${handle}` } },
          ConditionExpression: 'identityId = :me',
          ExpressionAttributeValues: { ':me': { S: identityId } },
        }),
      )
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e
    }
  }

  private async reservation(handle: string): Promise<Reservation | null> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: `handle#${handle}` } }, ConsistentRead: true }))
    if (!Item?.identityId?.S) return null
    return { identityId: Item.identityId.S, since: Number(Item.since?.N ?? 0) }
  }

  private async committed(identityId: string): Promise<string | null> {
    return (await this.owner(identityId))?.handle ?? null
  }

  private async owner(identityId: string): Promise<{ handle: string; released?: string } | null> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: `owner#${identityId}` } }, ConsistentRead: true }))
    if (!Item?.handle?.S) return null
    return Item.released?.S ? { handle: Item.handle.S, released: Item.released.S } : { handle: Item.handle.S }
  }
}
