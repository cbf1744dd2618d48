/**
 * `whimsy.kv`: the signed-in user's key-value data — settings, app state, small records —
 * synced across their devices. One DynamoDB table; the partition is the user's identityId
 * (taken from the session, never from the app, and the only partition the role's policy
 * grants), the sort key is the app's key in its namespace (`keys.ts`). How values are stored
 * is `values.ts`; the expressions are `expressions.ts`.
 *
 * This file is the public noun; the calls are `reads.ts`, `writes.ts`, `batches.ts` and
 * `listing.ts`, over what they share in `table.ts`. Every check on input (key, JSON, size,
 * options) runs before any request. Throttling is retried by the transport; only the leftovers
 * of batch calls, which are not errors, are resent (`batch-drain.ts`).
 */
import type { ChangeEvent } from '../changes/types.js'
import { watchKeys } from '../changes/watch.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { deleteMany, getMany, setMany } from './batches.js'
import type { KvUpdate } from './expressions.js'
import { checkAppName } from './keys.js'
import { list } from './listing.js'
import { get } from './reads.js'
import { KvTable } from './table.js'
import type { KvCallOptions, KvDeleteOptions, KvEntries, KvEntry, KvExpiry, KvList, KvListOptions, KvMeta, KvSetOptions, KvUpdateOptions } from './types.js'
import type { JsonValue } from './values.js'
import { deleteKey, set, update } from './writes.js'

export type { KvUpdate } from './expressions.js'
export type {
  KvCallOptions,
  KvDeleteOptions,
  KvEntries,
  KvEntry,
  KvExpiry,
  KvList,
  KvListOptions,
  KvMeta,
  KvSetOptions,
  KvUpdateOptions,
} from './types.js'
export type { JsonValue } from './values.js'

/**
 * Key-value data in one namespace: `whimsy.kv` itself, or an app's (`whimsy.kv.app('paint')`).
 * Values are any JSON; keys are non-empty strings of up to 1,024 bytes of UTF-8.
 */
export class KeyValueStore {
  private readonly store: KvTable

  /** @internal Built by `createWhimsy` and `kv.app()`. */
  constructor(
    protected readonly ctx: WhimsyContext,
    /** The app's name, or `''` for `whimsy.kv` itself. */
    readonly namespace = '',
  ) {
    this.store = new KvTable(ctx, namespace)
  }

  /**
   * Calls `listener` for each change of a key starting with `prefix` in this namespace, from any device.
   * @example
   * const stop = whimsy.kv.app('notes').watch('note/', (c) => c.type === 'change' && reload(c.key))
   */
  watch(prefix: string, listener: (event: ChangeEvent) => void, options?: { since?: number }): () => void {
    return watchKeys(this.ctx, this.store.prefix, prefix, listener, options)
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
    return get<T>(this.store, key, options)
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
    return set(this.store, key, value, options)
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
    return update<T>(this.store, key, changes, options)
  }

  /**
   * Deletes a key. Resolves to whether it had a (live) value. With `ifVersion`, deletes only
   * that version, else `Conflict`.
   * @example
   * await whimsy.kv.delete('settings/theme')
   */
  async delete(key: string, options: KvDeleteOptions = {}): Promise<boolean> {
    return deleteKey(this.store, key, options)
  }

  /**
   * Lists entries in key order (UTF-8 bytes), a page per request; expired entries are skipped.
   * @example
   * for await (const { key, value } of whimsy.kv.list({ prefix: 'settings/' })) console.log(key, value)
   * for await (const page of whimsy.kv.list({ limit: 500 }).pages()) render(page)
   */
  list<T = JsonValue>(options: KvListOptions = {}): KvList<T> {
    return list<T>(this.store, options)
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
    return getMany<T>(this.store, keys, options)
  }

  /**
   * Deletes many keys at once (25 per request); keys without a value are no error. Not
   * conditional (use `delete` with `ifVersion`), and not atomic across batches: a failure
   * part-way leaves earlier batches deleted, and running it again finishes.
   * @example
   * await whimsy.kv.deleteMany(['settings/theme', 'settings/lang'])
   */
  async deleteMany(keys: readonly string[], options: KvCallOptions = {}): Promise<void> {
    return deleteMany(this.store, keys, options)
  }

  /**
   * Writes many values at once (25 per request), each replacing the old value; not
   * conditional (use `set` for `ifAbsent`/`ifVersion`). Every entry is checked before the first
   * request; a failure part-way leaves earlier batches written.
   * @example
   * await whimsy.kv.setMany({ 'settings/theme': { dark: true }, 'settings/lang': 'fr' })
   */
  async setMany(entries: KvEntries, options: KvExpiry & KvCallOptions = {}): Promise<void> {
    return setMany(this.store, entries, options)
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
