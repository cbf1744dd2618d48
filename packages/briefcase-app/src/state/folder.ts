/**
 * The one listing of the open folder: entries arrive page by page (the first page small, so rows
 * show while the rest is listing) and everything on screen — sort, filter, selection, counts —
 * is derived from it. Operations call `refresh()`; nothing keeps a second copy.
 */
import { computed, signal } from '@preact/signals'
import type { FileEntry } from '@whimsy/sdk'
import { whimsy } from './session.js'

export type SortKey = 'name' | 'size' | 'modified'

export const folderPath = signal('/')
export const entries = signal<FileEntry[]>([])
export const listing = signal<'idle' | 'listing' | 'done' | 'error'>('idle')
export const listError = signal<string | undefined>(undefined)
export const sort = signal<{ key: SortKey; descending: boolean }>({ key: 'name', descending: false })
export const filter = signal('')
/** Selected entries by key; `anchor` is where Shift-selection starts, `cursor` the focused row. */
export const selected = signal<ReadonlySet<string>>(new Set())
export const cursor = signal(0)
export const anchor = signal(0)

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** What the list shows: folders first, then the whole folder sorted and filtered (never one page of it). */
export const visible = computed(() => {
  const needle = filter.value.trim().toLocaleLowerCase()
  const { key, descending } = sort.value
  const rows = needle ? entries.value.filter((e) => e.name.toLocaleLowerCase().includes(needle)) : entries.value.slice()
  const sign = descending ? -1 : 1
  rows.sort((a, b) => {
    if (a.type !== b.type) return a.type === 'folder' ? -1 : 1
    let d = 0
    if (key === 'size') d = a.size - b.size
    else if (key === 'modified') d = (a.modified?.getTime() ?? 0) - (b.modified?.getTime() ?? 0)
    return sign * (d || collator.compare(a.name, b.name))
  })
  return rows
})

export const selectedEntries = computed(() => entries.value.filter((e) => selected.value.has(e.key)))

let generation = 0

export async function loadFolder(path: string): Promise<void> {
  const mine = ++generation
  if (path !== folderPath.value) {
    folderPath.value = path
    selected.value = new Set()
    cursor.value = 0
    anchor.value = 0
    filter.value = ''
  }
  listing.value = 'listing'
  listError.value = undefined
  const collected: FileEntry[] = []
  let cursorToken: string | undefined
  let first = true
  try {
    do {
      const page = await whimsy().fs.listPage(path, { pageSize: first ? 200 : 1000, cursor: cursorToken })
      if (mine !== generation) return
      collected.push(...page.entries)
      // A new array each page: the derived views recompute; the first rows show at once.
      entries.value = collected.slice()
      cursorToken = page.cursor
      first = false
    } while (cursorToken)
    listing.value = 'done'
    const still = new Set(collected.map((e) => e.key))
    selected.value = new Set([...selected.value].filter((k) => still.has(k)))
  } catch (e) {
    if (mine !== generation) return
    listing.value = 'error'
    listError.value = e instanceof Error ? e.message : String(e)
  }
}

export function refresh(): Promise<void> {
  return loadFolder(folderPath.value)
}

export function nameTaken(name: string): boolean {
  return entries.value.some((e) => e.name === name)
}
