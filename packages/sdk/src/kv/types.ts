/** The public shapes of `whimsy.kv`: entries, their metadata, and each call's options. */
import type { JsonValue } from './values.js'

/** What every item carries besides its value. */
export interface KvMeta {
  /**
   * Changes on every write: `set` and `update` add 1. An item starts at a random version (at
   * least 2^32) when created — by `set` or `update` on a key without a value, also after a
   * delete or expiry — so a version read before a delete never matches the new item. `setMany`,
   * a batch write that cannot read the old item, gives a fresh random version every time. Pass
   * it back as `ifVersion`; compare versions for equality, not order (`updatedAt` orders writes).
   */
  version: number
  /** When the item was last written (the writer's clock). */
  updatedAt: Date
  /** When the item stops existing, if it expires (whole seconds, rounded up). */
  expiresAt?: Date
}

/** An item: its key (within the namespace), value and metadata. */
export interface KvEntry<T = JsonValue> extends KvMeta {
  key: string
  value: T
}

/**
 * Expiry: either `ttl` (seconds from now) or `expiresAt` (a Date or epoch milliseconds), in the
 * future and at most 10 years ahead.
 */
export interface KvExpiry {
  ttl?: number
  expiresAt?: Date | number
}

/** Every `kv` call takes a `signal`: aborted, it rejects with `Aborted` (at once if already aborted). */
export interface KvCallOptions {
  signal?: AbortSignal
}

export interface KvSetOptions extends KvExpiry, KvCallOptions {
  /** Write only if the key has no (live) value; else `Conflict`. */
  ifAbsent?: boolean
  /** Write only if the item is still at this version; else `Conflict`. */
  ifVersion?: number
}

export interface KvUpdateOptions extends KvExpiry, KvCallOptions {
  /** Update only if the item is still at this version; else `Conflict`. */
  ifVersion?: number
}

export interface KvDeleteOptions extends KvCallOptions {
  /** Delete only if the item is still at this version; else `Conflict`. */
  ifVersion?: number
}

export interface KvListOptions extends KvCallOptions {
  /** Only keys that start with this. */
  prefix?: string
  /** Only keys after this one (in UTF-8 byte order, DynamoDB's order): pass the last key seen to resume. */
  startAfter?: string
  /** At most this many entries in all. */
  limit?: number
  /** Entries fetched per request; default 100. */
  pageSize?: number
}

/** The result of `kv.list`: iterate entries, or whole pages with `pages()`. */
export interface KvList<T = JsonValue> extends AsyncIterable<KvEntry<T>> {
  /** One array per request, each holding the live entries of that page (possibly empty). */
  pages(): AsyncIterable<KvEntry<T>[]>
}

/** `setMany`'s input: a plain object of key → value, or `[key, value]` pairs (a Map, an array). */
export type KvEntries = Record<string, unknown> | Iterable<readonly [string, unknown]>
