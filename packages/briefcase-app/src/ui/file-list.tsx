// biome-ignore-all lint/a11y/useSemanticElements: an ARIA grid of div rows, windowed; a <table> cannot position rows absolutely
// biome-ignore-all lint/a11y/useFocusableInteractive: the grid holds focus and points at rows with aria-activedescendant (one tab stop)
// biome-ignore-all lint/a11y/useKeyWithClickEvents: rows are driven by the grid's keyboard handler
/**
 * The folder as a grid with windowed rendering: only the rows in view (plus a margin) are in the
 * DOM, so 100,000 entries scroll like 10. One focusable grid with aria-activedescendant carries
 * the keyboard cursor; rows are drag sources, folder rows drop targets.
 */
import type { FileEntry } from '@whimsy/sdk'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { formatDate, formatSize, kindOf } from '../format.js'
import { anchor, cursor, entries, folderPath, listing, type SortKey, selected, sort, visible } from '../state/folder.js'
import { checkName } from './file-actions.js'
import { KindIcon } from './icons.js'
import { RenameField, renaming } from './rename-field.js'

export const ROW_HEIGHT = 44
const MARGIN = 8
export const DRAG_TYPE = 'application/x-whimsy-keys'

export interface ListHandlers {
  onOpen: (entry: FileEntry) => void
  onKey: (e: KeyboardEvent) => void
  onContextMenu: (e: MouseEvent, entry: FileEntry | undefined) => void
  onDropOnFolder: (folder: FileEntry, data: DataTransfer) => void
}

export function selectRow(index: number, how: { shift?: boolean; toggle?: boolean }): void {
  const rows = visible.value
  const row = rows[index]
  if (!row) return
  if (how.shift) {
    const [a, b] = [Math.min(anchor.value, index), Math.max(anchor.value, index)]
    selected.value = new Set(rows.slice(a, b + 1).map((r) => r.key))
  } else if (how.toggle) {
    const next = new Set(selected.value)
    if (next.has(row.key)) next.delete(row.key)
    else next.add(row.key)
    selected.value = next
    anchor.value = index
  } else {
    selected.value = new Set([row.key])
    anchor.value = index
  }
  cursor.value = index
}

function SortHeader({ label, k, className }: { label: string; k: SortKey; className: string }) {
  const s = sort.value
  const active = s.key === k
  return (
    <div role="columnheader" class={className} aria-sort={active ? (s.descending ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        class="sort"
        onClick={() => {
          sort.value = { key: k, descending: active ? !s.descending : false }
        }}
      >
        {label}
        <span aria-hidden="true">{active ? (s.descending ? ' ↓' : ' ↑') : ''}</span>
      </button>
    </div>
  )
}

export function FileList(props: ListHandlers) {
  const scroller = useRef<HTMLDivElement>(null)
  const [top, setTop] = useState(0)
  const [height, setHeight] = useState(600)
  const rows = visible.value
  const sel = selected.value
  const cur = Math.min(cursor.value, Math.max(0, rows.length - 1))
  const touch = useRef(false)
  const press = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const ro = new ResizeObserver(() => setHeight(el.clientHeight))
    ro.observe(el)
    setHeight(el.clientHeight)
    return () => ro.disconnect()
  }, [])

  // Keep the cursor row in view when the keyboard moves it.
  useEffect(() => {
    const el = scroller.current
    if (!el) return
    const y = cur * ROW_HEIGHT
    if (y < el.scrollTop) el.scrollTop = y
    else if (y + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = y + ROW_HEIGHT - el.clientHeight
  }, [cur])

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - MARGIN)
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW_HEIGHT) + MARGIN)
  const shown = rows.slice(first, last)

  return (
    <div
      class="grid"
      role="grid"
      aria-label="Files"
      aria-rowcount={rows.length + 1}
      aria-multiselectable="true"
      aria-busy={listing.value === 'listing'}
      tabIndex={0}
      aria-activedescendant={rows.length ? `row-${cur}` : undefined}
      onKeyDown={(e) => props.onKey(e)}
      onContextMenu={(e) => {
        if (e.target === e.currentTarget || (e.target as HTMLElement).classList.contains('rows')) props.onContextMenu(e, undefined)
      }}
    >
      <div role="row" class="head" aria-rowindex={1}>
        <SortHeader label="Name" k="name" className="c-name" />
        <SortHeader label="Size" k="size" className="c-size" />
        <SortHeader label="Modified" k="modified" className="c-date" />
      </div>
      <div class="scroller" ref={scroller} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
        {rows.length === 0 && listing.value === 'done' ? (
          <div class="empty">
            <p>{entries.value.length ? 'No names match the filter.' : 'This folder is empty.'}</p>
            <p class="hint">Drop files or folders here, or use Upload.</p>
          </div>
        ) : null}
        <div class="rows" role="rowgroup" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
          {shown.map((entry, i) => {
            const index = first + i
            const kind = kindOf(entry)
            const isSel = sel.has(entry.key)
            const editing = renaming.value === entry.key
            return (
              <div
                key={entry.key}
                id={`row-${index}`}
                role="row"
                aria-rowindex={index + 2}
                aria-selected={isSel}
                class={`file-row${isSel ? ' selected' : ''}${index === cur ? ' cursor' : ''}`}
                style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
                draggable={!editing}
                data-name={entry.name}
                onPointerDown={(e) => {
                  touch.current = e.pointerType === 'touch'
                  if (touch.current) press.current = setTimeout(() => selectRow(index, { toggle: true }), 500)
                }}
                onPointerUp={() => clearTimeout(press.current)}
                onPointerCancel={() => clearTimeout(press.current)}
                onClick={(e) => {
                  // On touch a tap opens, unless a long-press started selecting.
                  if (touch.current && sel.size === 0) return props.onOpen(entry)
                  selectRow(index, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey || (touch.current && sel.size > 0) })
                }}
                onDblClick={() => props.onOpen(entry)}
                onContextMenu={(e) => {
                  if (!sel.has(entry.key)) selectRow(index, {})
                  props.onContextMenu(e, entry)
                }}
                onDragStart={(e) => {
                  if (!sel.has(entry.key)) selectRow(index, {})
                  const keys = sel.has(entry.key) ? [...sel] : [entry.key]
                  e.dataTransfer?.setData(DRAG_TYPE, JSON.stringify(keys))
                  if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move'
                }}
                onDragOver={(e) => {
                  if (entry.type !== 'folder') return
                  e.preventDefault()
                  ;(e.currentTarget as HTMLElement).classList.add('drop')
                }}
                onDragLeave={(e) => (e.currentTarget as HTMLElement).classList.remove('drop')}
                onDrop={(e) => {
                  if (entry.type !== 'folder' || !e.dataTransfer) return
                  e.preventDefault()
                  e.stopPropagation()
                  ;(e.currentTarget as HTMLElement).classList.remove('drop')
                  props.onDropOnFolder(entry, e.dataTransfer)
                }}
              >
                <div role="gridcell" class="c-name">
                  <KindIcon kind={kind} />
                  {editing ? (
                    <RenameField entry={entry} folder={folderPath.value} check={checkName(folderPath.value, entry.name)} />
                  ) : (
                    <span class="name">{entry.name}</span>
                  )}
                </div>
                <div role="gridcell" class="c-size">
                  {entry.type === 'folder' ? '—' : formatSize(entry.size)}
                </div>
                <div role="gridcell" class="c-date">
                  {formatDate(entry.modified)}
                </div>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
