/**
 * Storage used, always on screen: the one place the app reads it. Today `fs.usage()` lists the
 * whole tree, so the figure is cached in the user's key-value data (shown at once, recomputed
 * in the background at most every 10 minutes) and the app's own uploads and deletes adjust it
 * in between. When `fs.usage()` reads the change feed's running totals (one request), the
 * cache goes: set `CACHE_IN_KV` to false (then delete the cached branch and the kv key's note).
 */
import { signal } from '@preact/signals'
import { whimsy } from './session.js'

export const usage = signal<{ bytes: number; files: number } | undefined>(undefined)
const CACHE_IN_KV = true
const KEY = 'briefcase/usage'
const FRESH_MS = 10 * 60 * 1000

/** Shows the figure; `force` when an operation changed it by an amount the app cannot tell (a folder copied or deleted). */
export async function loadUsage(force = false): Promise<void> {
  if (!CACHE_IN_KV) {
    usage.value = await whimsy().fs.usage()
    return
  }
  const kv = whimsy().kv
  const cached = (await kv.get(KEY).catch(() => null)) as { bytes: number; files: number; at: number } | null
  if (cached) usage.value = { bytes: cached.bytes, files: cached.files }
  if (!force && cached && Date.now() - cached.at < FRESH_MS) return
  const fresh = await whimsy().fs.usage()
  usage.value = fresh
  await kv.set(KEY, { ...fresh, at: Date.now() }).catch(() => {})
}

/** The app's own uploads and deletes, counted at once rather than asked for again. */
export function adjustUsage(bytes: number, files: number): void {
  const u = usage.value
  if (u) usage.value = { bytes: Math.max(0, u.bytes + bytes), files: Math.max(0, u.files + files) }
}
