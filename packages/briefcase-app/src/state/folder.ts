/**
 * The one listing of the open folder: entries arrive page by page (the first page small, so rows
 * show while the rest is listing) and everything on screen — sort, filter, selection, counts —
 * is derived from it. Operations call `refresh()`; nothing keeps a second copy. Changes made
 * elsewhere (another device, another app) arrive through `fs.watch` and update only the entries
 * they name, while the folder is on screen.
 */
import { computed, signal } from '@preact/signals'
import type { ChangeEvent, FileEntry } from '@whimsy/sdk'
import { whimsy } from './session.js'

export type SortKey = 'name' | 'size' | 'modified'

export const folderPath = signal('/')
export const entries = signal<FileEntry[]>([])
export const listing = signal<'idle' | 'listing' | 'done' | 'error'>('idle')
export const listError = signal<string | undefined>(undefined)
/** Entries listed so far while `listing`: the count moves every page, the rows less often (see loadFolder). */
export const listedSoFar = signal(0)
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

let stopWatching: (() => void) | undefined
let watched: string | undefined

/** Keeps the open folder's listing current with changes made elsewhere (issue 15's feed). */
function watchFolder(path: string): void {
  // Per user too: sign-out ends every subscription, and the next sign-in starts a new one.
  const what = `${whimsy().auth.user?.identityId ?? ''}|${path}`
  if (watched === what && stopWatching) return
  stopWatching?.()
  stopWatching = undefined
  watched = what
  try {
    stopWatching = whimsy().fs.watch(path, (event) => applyChange(path, event), { recursive: true })
  } catch {
    // No change feed in this deployment, or not signed in yet: the listing still works, by hand.
  }
}

/** Changes of the open folder not yet applied: applied together, after a short pause. */
let pending: ChangeEvent[] = []
let applying: ReturnType<typeof setTimeout> | undefined
/** More changes than this at once (a sync, a bulk upload elsewhere): one relisting instead. */
const FEW = 20

function applyChange(path: string, event: ChangeEvent): void {
  if (path !== folderPath.value) return
  if (event.type === 'change' && event.fromThisDevice) return // our own operations refresh already
  pending.push(event)
  clearTimeout(applying)
  applying = setTimeout(() => void applyPending(path), 300)
}

/** A few changes to files of this folder update their rows; anything else relists it, once. */
async function applyPending(path: string): Promise<void> {
  if (path !== folderPath.value) {
    pending = []
    return
  }
  // A listing in progress already reads the folder as it is now: wait for it, then apply.
  if (listing.value === 'listing') {
    applying = setTimeout(() => void applyPending(path), 300)
    return
  }
  const batch = pending
  pending = []
  const prefix = path === '/' ? '/' : `${path}/`
  const direct = (e: ChangeEvent) => e.type === 'change' && !!e.path?.startsWith(prefix) && !e.path.slice(prefix.length).includes('/')
  if (batch.length > FEW || !batch.every(direct)) return refresh()
  for (const event of batch) {
    if (event.type !== 'change' || !event.path) continue
    const others = entries.value.filter((e) => e.path !== event.path)
    if (event.op === 'delete') {
      entries.value = others
      continue
    }
    const info = await whimsy()
      .fs.stat(event.path)
      .catch(() => undefined)
    if (path !== folderPath.value) return
    entries.value = info?.type === 'file' ? [...entries.value.filter((e) => e.path !== event.path), info] : others
  }
}

export async function loadFolder(path: string): Promise<void> {
  const mine = ++generation
  watchFolder(path)
  // A new folder shows its rows page by page; a refresh of the one on screen swaps in the new
  // listing when it is complete, so the rows do not shrink to one page meanwhile.
  const progressive = path !== folderPath.value || listing.value !== 'done'
  if (path !== folderPath.value) {
    folderPath.value = path
    // The previous folder's rows go at once: left on screen until the first page, a click on one
    // (a name both folders hold) would select a row of the wrong folder.
    entries.value = []
    selected.value = new Set()
    cursor.value = 0
    anchor.value = 0
    filter.value = ''
  }
  if (progressive) {
    listing.value = 'listing'
    listedSoFar.value = 0
  }
  listError.value = undefined
  const collected: FileEntry[] = []
  let cursorToken: string | undefined
  let first = true
  // Where the time goes (read by the bench): waiting on the SDK (network, signing, XML) vs the rest.
  const started = performance.now()
  let sdkMs = 0
  let pages = 0
  let published = 0
  let publishedAt = 0
  try {
    do {
      const asked = performance.now()
      const page = await whimsy().fs.listPage(path, { pageSize: first ? 200 : 1000, cursor: cursorToken })
      sdkMs += performance.now() - asked
      pages++
      if (mine !== generation) return
      collected.push(...page.entries)
      cursorToken = page.cursor
      listedSoFar.value = collected.length
      // Each publication re-sorts the whole folder (the view is sorted over everything listed), so
      // rows are published when they have doubled or a second has passed, not every page: 10,000
      // files sort 5 times instead of 11. The first page always shows at once.
      const now = performance.now()
      if (progressive && cursorToken && (collected.length >= 2 * published || now - publishedAt > 1000)) {
        entries.value = collected.slice()
        published = collected.length
        publishedAt = now
      }
      first = false
    } while (cursorToken)
    entries.value = collected
    listing.value = 'done'
    performance.measure('briefcase:listing', { start: started, detail: { path, entries: collected.length, pages, sdkMs } })
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
