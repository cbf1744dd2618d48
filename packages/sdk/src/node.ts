/**
 * Node-only helpers, kept out of the main entry so browser bundles never see `node:fs`.
 *
 * @example
 * import { createWhimsy } from '@whimsy/sdk'
 * import { fileStorage } from '@whimsy/sdk/node'
 * const whimsy = createWhimsy(config, { storage: fileStorage('.whimsy-session.json') })
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SessionStorage } from './storage.js'

/**
 * A session kept in a JSON file (mode 0600), so a CLI stays signed in between runs. Writes go
 * to a temporary file first and are renamed over the old one: a crash never leaves half a file.
 */
export function fileStorage(path: string): SessionStorage {
  let items: Record<string, string> = {}
  try {
    items = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>
  } catch {
    // No file yet, or unreadable: start signed out.
  }
  const save = () => {
    mkdirSync(dirname(path), { recursive: true })
    const temp = `${path}.${process.pid}.tmp`
    writeFileSync(temp, JSON.stringify(items), { mode: 0o600 })
    renameSync(temp, path)
  }
  return {
    getItem: (key) => items[key] ?? null,
    setItem: (key, value) => {
      items[key] = value
      save()
    },
    removeItem: (key) => {
      delete items[key]
      save()
    },
    clear: () => {
      items = {}
      save()
    },
  }
}
