/**
 * Storage used, always on screen. `fs.usage()` lists the whole tree, so it runs once in the
 * background per visit at most every 10 minutes (the last figure kept in the user's key-value data
 * shows at once), and the app's own uploads and deletes adjust it in between.
 */
import { signal } from '@preact/signals'
import { whimsy } from './session.js'

export const usage = signal<{ bytes: number; files: number } | undefined>(undefined)
const KEY = 'briefcase/usage'
const FRESH_MS = 10 * 60 * 1000

export async function loadUsage(force = false): Promise<void> {
  const kv = whimsy().kv
  const cached = (await kv.get(KEY).catch(() => null)) as { bytes: number; files: number; at: number } | null
  if (cached) usage.value = { bytes: cached.bytes, files: cached.files }
  if (!force && cached && Date.now() - cached.at < FRESH_MS) return
  const fresh = await whimsy().fs.usage()
  usage.value = fresh
  await kv.set(KEY, { ...fresh, at: Date.now() }).catch(() => {})
}

export function adjustUsage(bytes: number, files: number): void {
  const u = usage.value
  if (u) usage.value = { bytes: Math.max(0, u.bytes + bytes), files: Math.max(0, u.files + files) }
}
