/**
 * Handle → identityId lookups, remembered in memory so a warm edge handler makes no network
 * call per request: found handles for `ttlMs`, unknown ones briefly (`negativeTtlMs`) so a
 * handle claimed a moment ago appears soon. Concurrent lookups of one handle share one call;
 * failures are not remembered.
 */

/** identityId of the handle's owner, or null when nobody holds it. */
export type HandleLookup = (handle: string) => Promise<string | null>

export interface HandleCacheOptions {
  /** How long a found handle is trusted. Default 60 s: a rename reaches the edge within a minute. */
  ttlMs?: number
  /** How long "nobody holds it" is trusted. Default 5 s. */
  negativeTtlMs?: number
  /** Entries kept at most; the oldest go first. Default 10,000. */
  maxEntries?: number
  now?: () => number
}

export interface CachedHandleLookup extends HandleLookup {
  /** Forgets one handle (after a claim or rename in the same process) or everything. */
  forget(handle?: string): void
  readonly size: number
}

export function cachedHandleLookup(lookup: HandleLookup, options: HandleCacheOptions = {}): CachedHandleLookup {
  const ttl = options.ttlMs ?? 60_000
  const negativeTtl = options.negativeTtlMs ?? 5_000
  const max = options.maxEntries ?? 10_000
  const now = options.now ?? Date.now
  const entries = new Map<string, { value: string | null; expires: number }>()
  const pending = new Map<string, Promise<string | null>>()

  const cached = (async (handle: string) => {
    const hit = entries.get(handle)
    if (hit && hit.expires > now()) return hit.value
    const inFlight = pending.get(handle)
    if (inFlight) return inFlight
    const promise = lookup(handle).then(
      (value) => {
        pending.delete(handle)
        entries.delete(handle)
        if (entries.size >= max) entries.delete(entries.keys().next().value as string)
        entries.set(handle, { value, expires: now() + (value === null ? negativeTtl : ttl) })
        return value
      },
      (e: unknown) => {
        pending.delete(handle)
        throw e
      },
    )
    pending.set(handle, promise)
    return promise
  }) as CachedHandleLookup
  cached.forget = (handle) => (handle === undefined ? entries.clear() : void entries.delete(handle))
  Object.defineProperty(cached, 'size', { get: () => entries.size })
  return cached
}
