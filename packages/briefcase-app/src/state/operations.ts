/**
 * Folder operations with progress: new folder, rename, move, copy, delete, download. A folder
 * operation that stops half-way says how far it got; running it again finishes it (the SDK's
 * copy/move/remove are restartable).
 */
import { signal } from '@preact/signals'
import type { FileEntry } from '@whimsy/sdk'
import { joinPath } from '../format.js'
import { refresh } from './folder.js'
import { whimsy } from './session.js'
import { adjustUsage, loadUsage } from './usage.js'

export interface Operation {
  label: string
  loaded: number
  total?: number
  /** What `loaded` and `total` count: items (the default) or bytes. */
  unit?: 'bytes'
  error?: string
}

export const operation = signal<Operation | undefined>(undefined)

async function tracked(label: string, work: (onProgress: (p: { loaded: number; total?: number }) => void) => Promise<void>): Promise<boolean> {
  operation.value = { label, loaded: 0 }
  let last: { loaded: number; total?: number } = { loaded: 0 }
  let settled = false
  try {
    await work((p) => {
      // A folder transfer rejects on its first failure while other items are still in flight;
      // their late progress must not overwrite the "did not finish" message.
      if (settled) return
      last = p
      operation.value = { label, loaded: p.loaded, total: p.total }
    })
    settled = true
    operation.value = undefined
    return true
  } catch (e) {
    settled = true
    const why = e instanceof Error ? e.message : String(e)
    const where = last.total ? ` It stopped after ${last.loaded} of ${last.total} items; run it again to finish.` : ''
    operation.value = { label, loaded: last.loaded, total: last.total, error: `${label} did not finish: ${why}${where}` }
    return false
  } finally {
    await refresh()
  }
}

export function dismissOperation(): void {
  operation.value = undefined
}

export async function newFolder(folder: string, name: string): Promise<void> {
  await tracked(`Creating ${name}`, () => whimsy().fs.mkdir(joinPath(folder, name)))
}

export async function moveEntries(items: FileEntry[], toFolder: string, verb: 'move' | 'copy' = 'move'): Promise<boolean> {
  const label = `${verb === 'move' ? 'Moving' : 'Copying'} ${items.length === 1 ? items[0]?.name : `${items.length} items`}`
  const ok = await tracked(label, async (onProgress) => {
    for (const item of items) {
      const to = joinPath(toFolder, item.name)
      if (to === item.path) continue
      if (verb === 'move') await whimsy().fs.move(item, to, { onProgress })
      else await whimsy().fs.copy(item, to, { onProgress })
    }
  })
  if (verb === 'copy') void loadUsage().catch(() => {})
  return ok
}

export async function renameEntry(item: FileEntry, folder: string, name: string): Promise<boolean> {
  return tracked(`Renaming ${item.name}`, (onProgress) => whimsy().fs.move(item, joinPath(folder, name), { onProgress }))
}

export async function removeEntries(items: FileEntry[]): Promise<boolean> {
  const label = `Deleting ${items.length === 1 ? items[0]?.name : `${items.length} items`}`
  const bytes = items.reduce((n, i) => n + i.size, 0)
  const files = items.filter((i) => i.type === 'file').length
  const ok = await tracked(label, async (onProgress) => {
    for (const item of items) await whimsy().fs.remove(item, { recursive: item.type === 'folder', onProgress })
  })
  if (items.some((i) => i.type === 'folder')) void loadUsage().catch(() => {})
  else if (ok) adjustUsage(-bytes, -files)
  return ok
}

/** What deleting would lose: files and bytes inside folders, counted before asking. */
export async function countContents(items: FileEntry[]): Promise<{ files: number; bytes: number }> {
  let files = 0
  let bytes = 0
  for (const item of items) {
    if (item.type === 'file') {
      files++
      bytes += item.size
    } else {
      for await (const e of whimsy().fs.list(item, { recursive: true })) {
        files++
        bytes += e.size
      }
    }
  }
  return { files, bytes }
}

export async function download(item: FileEntry): Promise<void> {
  saveBlob(await whimsy().fs.readBlob(item), item.name)
}

/** Hands bytes to the browser's download (an object URL on a clicked link). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
