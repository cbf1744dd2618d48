/**
 * Storage used, always on screen: the one place the app reads it. `fs.usage()` is one request
 * (the change feed's running totals, which include this device's own writes at once), so it is
 * asked on every visit and after operations whose size the app cannot tell (a folder copied or
 * deleted); the app's own uploads and file deletes adjust the figure at once in between.
 */
import { signal } from '@preact/signals'
import { whimsy } from './session.js'

export const usage = signal<{ bytes: number; files: number } | undefined>(undefined)

/** Shows the figure as the SDK reports it now. */
export async function loadUsage(): Promise<void> {
  usage.value = await whimsy().fs.usage()
}

/** The app's own uploads and deletes, counted at once rather than asked for again. */
export function adjustUsage(bytes: number, files: number): void {
  const u = usage.value
  if (u) usage.value = { bytes: Math.max(0, u.bytes + bytes), files: Math.max(0, u.files + files) }
}
