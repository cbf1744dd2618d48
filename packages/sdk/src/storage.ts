/**
 * Where a signed-in session is kept between page loads: `localStorage` in the browser, memory
 * (or a file, see `@whimsy/sdk/node`) in Node. Never cookies: a user's site on a sibling
 * domain could read or plant them. The shape is the synchronous Web Storage subset that
 * amazon-cognito-identity-js writes its tokens through.
 */
export interface SessionStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
  clear(): void
}

/** A session that lasts as long as the process (or the tab, without reloads). */
export function memoryStorage(): SessionStorage {
  const items = new Map<string, string>()
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  }
}

/** `localStorage` where there is one (the browser), else memory. */
export function defaultStorage(): SessionStorage {
  try {
    const local = (globalThis as { localStorage?: SessionStorage }).localStorage
    if (local) {
      local.getItem('whimsy.probe')
      return local
    }
  } catch {
    // Storage disabled (private mode, sandboxed iframe): fall back to memory.
  }
  return memoryStorage()
}
