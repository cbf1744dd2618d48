/**
 * What every `kv` call shares: the namespace's stored prefix, the table, the one way a request is
 * sent (with the session's identityId, retried once on expired credentials, errors mapped) and
 * how a stored item reads back as an entry. The calls themselves are `reads.ts`, `writes.ts`,
 * `batches.ts` and `listing.ts`; `kv.ts` is the public noun over them.
 */
import { detailOf, toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import type { DynamoDbCommand } from '../transport/dynamodb.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { appKey, namespacePrefix } from './keys.js'
import type { KvEntry, KvMeta } from './types.js'
import { ATTR, decodeValue, type Item, isExpired, tooLargeMessage } from './values.js'

export class KvTable {
  readonly prefix: string

  constructor(
    private readonly ctx: WhimsyContext,
    namespace: string,
  ) {
    this.prefix = namespacePrefix(namespace)
  }

  get table(): string {
    return this.ctx.config.table
  }

  /**
   * The document client shares the base client's middleware and sends raw (AttributeValue)
   * commands unchanged; raw commands keep the representation in `values.ts`, not in
   * lib-dynamodb's marshalling.
   */
  send<O>(command: DynamoDbCommand, signal?: AbortSignal): Promise<O> {
    return this.ctx.ddb.send<O>(command, { signal })
  }

  /** Runs a request with the session's identityId (retried once on expired credentials); errors mapped. */
  async call<R>(what: string, run: (identityId: string) => Promise<R>): Promise<R> {
    try {
      return await this.ctx.auth.withCredentials((credentials) => run(credentials.identityId))
    } catch (e) {
      const err = toWhimsyError(e, what)
      // An item grown past the limit by an update (which no check before the request can size).
      if (detailOf(err) === 'ItemTooLarge') throw new WhimsyError('InvalidInput', tooLargeMessage(what), { cause: err.cause, status: err.status })
      throw err
    }
  }

  /** An item as an entry, or undefined when absent, expired at `nowMs`, or not the SDK's. */
  entry<T>(item: Item | undefined, nowMs: number): KvEntry<T> | undefined {
    if (!item || isExpired(item, nowMs)) return undefined
    const value = decodeValue(item)
    const sk = item[ATTR.sort]?.S
    if (value === undefined || sk === undefined) return undefined
    return { key: appKey(this.prefix, sk) ?? sk, value: value as T, ...metaOf(item) }
  }
}

export function itemKey(identityId: string, sk: string): Item {
  return { [ATTR.partition]: { S: identityId }, [ATTR.sort]: { S: sk } }
}

export function metaOf(item: Item): KvMeta {
  const meta: KvMeta = { version: Number(item[ATTR.version]?.N ?? 0), updatedAt: new Date(Number(item[ATTR.updatedAt]?.N ?? 0)) }
  const exp = item[ATTR.expiresAt]?.N
  if (exp !== undefined) meta.expiresAt = new Date(Number(exp) * 1000)
  return meta
}

export function describeKey(key: string): string {
  return `kv key ${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key)}`
}

/**
 * The expiry as epoch seconds, refusing what would silently write an item that is already gone
 * or never goes: `expiresAt` in the past, epoch seconds given for milliseconds (a number below
 * 1e12 is before September 2001 in ms, but 33,000 years ahead in seconds), and anything past
 * 10 years, which also keeps non-finite and huge numbers out of the request.
 */
