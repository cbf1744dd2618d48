/** The folder screen: breadcrumbs, toolbar, filter, the list, drops, the context menu. */

import { signal } from '@preact/signals'
import type { FileEntry } from '@whimsy/sdk'
import { FolderPlus, Keyboard, Search, Upload } from 'lucide-preact'
import { useEffect, useRef } from 'preact/hooks'
import { type Action, type ActionContext, actionById, actions, dispatchKey, isTyping } from '../actions.js'
import { type DroppedFile, walkDrop } from '../folder-walker.js'
import { formatSize } from '../format.js'
import { cursor, entries, filter, folderPath, listError, listedSoFar, listing, loadFolder, selected, selectedEntries, visible } from '../state/folder.js'
import type { Interrupted } from '../state/interrupted-uploads.js'
import { dismissOperation, moveEntries, operation } from '../state/operations.js'
import { folderHash, route } from '../state/route.js'
import { type ConflictChoice, enqueue, type ResumeChoice } from '../state/uploads.js'
import { choiceDialog } from './dialog.js'
import { openEntry, setFilePicker } from './file-actions.js'
import { DRAG_TYPE, FileList, selectRow } from './file-list.js'

const menu = signal<{ x: number; y: number } | undefined>(undefined)

function context(): ActionContext {
  // The route is the folder on screen; the listing may still be catching up with it.
  const r = route.value
  return { folder: r.screen === 'files' ? r.folder : folderPath.value, selection: selectedEntries.value }
}

async function askConflict(names: string[]): Promise<ConflictChoice | undefined> {
  const list =
    names.length === 1
      ? `${names[0]} already exists here.`
      : `${names.length} names already exist here: ${names.slice(0, 5).join(', ')}${names.length > 5 ? '…' : ''}.`
  return choiceDialog<ConflictChoice>({
    title: names.length === 1 ? 'Replace the existing file?' : 'Replace the existing files?',
    body: <p>{list} Nothing has been uploaded yet.</p>,
    choices: [
      { id: 'skip', label: 'Skip' },
      { id: 'keep-both', label: 'Keep both' },
      { id: 'replace', label: 'Replace', primary: true },
    ],
  })
}

function askResume(stopped: Interrupted): Promise<ResumeChoice | undefined> {
  return choiceDialog<ResumeChoice>({
    title: `Resume uploading ${stopped.name}?`,
    body: (
      <p>
        Its upload stopped after {formatSize(stopped.loaded)} of {formatSize(stopped.size)}. Resuming sends only the rest; starting over sends the whole file
        again.
      </p>
    ),
    choices: [
      { id: 'restart', label: 'Start over' },
      { id: 'resume', label: 'Resume', primary: true },
    ],
  })
}

export function uploadInto(folder: string, files: DroppedFile[]): Promise<void> {
  return enqueue(folder, files, askConflict, askResume)
}

/** A drop: our own rows (a move) or files from outside (an upload), onto `folder`. */
async function dropOn(folder: string, data: DataTransfer): Promise<void> {
  const keys = data.getData(DRAG_TYPE)
  if (keys) {
    const wanted = new Set(JSON.parse(keys) as string[])
    const items = entries.value.filter((e) => wanted.has(e.key) && e.path !== folder)
    if (items.length) await moveEntries(items, folder, 'move')
    return
  }
  await uploadInto(folder, await walkDrop(data))
}

function Breadcrumbs({ folder }: { folder: string }) {
  const parts = folder.split('/').filter(Boolean)
  const crumbs = [{ name: 'My Briefcase', path: '/' }, ...parts.map((name, i) => ({ name, path: `/${parts.slice(0, i + 1).join('/')}` }))]
  return (
    <nav aria-label="Folder path" class="crumbs">
      <ol>
        {crumbs.map((c, i) => (
          <li
            key={c.path}
            onDragOver={(e) => {
              if (c.path !== folder) e.preventDefault()
            }}
            onDrop={(e) => {
              if (c.path === folder || !e.dataTransfer) return
              e.preventDefault()
              e.stopPropagation()
              void dropOn(c.path, e.dataTransfer)
            }}
          >
            {i === crumbs.length - 1 ? <span aria-current="page">{c.name}</span> : <a href={folderHash(c.path)}>{c.name}</a>}
          </li>
        ))}
      </ol>
    </nav>
  )
}

function ActionButton({ action, ctx, icon }: { action: Action; ctx: ActionContext; icon?: preact.ComponentChildren }) {
  return (
    <button
      type="button"
      class={action.danger ? 'danger-text' : undefined}
      disabled={!action.enabled(ctx)}
      title={action.keys ? `${action.label} (${action.keys})` : action.label}
      onClick={() => {
        menu.value = undefined
        void action.run(ctx)
      }}
    >
      {icon}
      {action.label}
    </button>
  )
}

function ContextMenu() {
  const at = menu.value
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!at) return
    ref.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus()
    const close = (e: Event) => {
      if (!ref.current?.contains(e.target as Node)) menu.value = undefined
    }
    window.addEventListener('pointerdown', close)
    return () => window.removeEventListener('pointerdown', close)
  }, [at])
  if (!at) return null
  const ctx = context()
  const items = actions().filter((a) => (ctx.selection.length ? a.menu : a.toolbar))
  return (
    <div
      ref={ref}
      class="menu"
      role="menu"
      aria-label="Actions"
      style={{ left: `${Math.min(at.x, window.innerWidth - 220)}px`, top: `${Math.min(at.y, window.innerHeight - items.length * 36 - 16)}px` }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') menu.value = undefined
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault()
          const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? [])]
          const i = buttons.indexOf(document.activeElement as HTMLButtonElement)
          buttons[(i + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus()
        }
      }}
    >
      {items.map((a) => (
        <button
          key={a.id}
          type="button"
          role="menuitem"
          class={a.danger ? 'danger-text' : undefined}
          disabled={!a.enabled(ctx)}
          onClick={() => {
            menu.value = undefined
            void a.run(ctx)
          }}
        >
          <span>{a.label}</span>
          {a.keys ? <kbd>{a.keys}</kbd> : null}
        </button>
      ))}
    </div>
  )
}

function OperationBar() {
  const op = operation.value
  if (!op) return null
  return (
    <div class={`operation${op.error ? ' failed' : ''}`} role={op.error ? 'alert' : 'status'}>
      {op.error ? (
        <>
          <span>{op.error}</span>
          <button type="button" onClick={dismissOperation}>
            Dismiss
          </button>
        </>
      ) : (
        <>
          <span>
            {op.label}… {op.total ? (op.unit === 'bytes' ? `${formatSize(op.loaded)} of ${formatSize(op.total)}` : `${op.loaded} of ${op.total}`) : ''}
          </span>
          <progress max={op.total ?? 1} value={op.total ? op.loaded : undefined} aria-label={op.label} />
        </>
      )}
    </div>
  )
}

function onListKey(e: KeyboardEvent): void {
  const rows = visible.value
  const cur = Math.min(cursor.value, rows.length - 1)
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    if (e.altKey) return void dispatchKey(e, context())
    e.preventDefault()
    const next = Math.max(0, Math.min(rows.length - 1, cur + (e.key === 'ArrowDown' ? 1 : -1)))
    if (e.shiftKey) selectRow(next, { shift: true })
    else if (e.ctrlKey || e.metaKey) cursor.value = next
    else selectRow(next, {})
    return
  }
  if (e.key === 'Home' || e.key === 'End') {
    e.preventDefault()
    selectRow(e.key === 'Home' ? 0 : rows.length - 1, { shift: e.shiftKey })
    return
  }
  if (e.key === ' ') {
    e.preventDefault()
    selectRow(cur, { toggle: true })
    return
  }
  if (e.key === 'Enter' && selected.value.size === 0 && rows[cur]) selectRow(cur, {})
  if (e.key === 'Escape') {
    selected.value = new Set()
    return
  }
  if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
    e.preventDefault()
    const row = document.getElementById(`row-${cur}`)?.getBoundingClientRect()
    menu.value = { x: (row?.left ?? 100) + 40, y: row?.bottom ?? 100 }
    return
  }
  dispatchKey(e, context())
}

export function Files({ folder }: { folder: string }) {
  const picker = useRef<HTMLInputElement>(null)
  useEffect(() => {
    void loadFolder(folder)
  }, [folder])
  useEffect(() => {
    setFilePicker(() => picker.current?.click())
    // Shortcuts work anywhere on the screen, not only with the list focused.
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || document.querySelector('dialog[open]') || (e.target as HTMLElement).closest?.('.grid')) return
      dispatchKey(e, context())
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  const ctx = context()
  const count = entries.value.length
  const shown = visible.value.length
  const newFolder = actionById('new-folder')
  const upload = actionById('upload')
  const help = actionById('shortcuts')
  return (
    <section
      class="files"
      aria-label="Files"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        if (!e.dataTransfer) return
        e.preventDefault()
        void dropOn(folder, e.dataTransfer)
      }}
    >
      <Breadcrumbs folder={folder} />
      <div class="toolbar" role="toolbar" aria-label="Folder actions">
        {upload ? <ActionButton action={upload} ctx={ctx} icon={<Upload size={18} aria-hidden="true" />} /> : null}
        {newFolder ? <ActionButton action={newFolder} ctx={ctx} icon={<FolderPlus size={18} aria-hidden="true" />} /> : null}
        <div class="search">
          <Search size={16} aria-hidden="true" />
          <label for="filter" class="sr-only">
            Filter by name
          </label>
          <input
            id="filter"
            type="search"
            placeholder="Filter by name"
            value={filter.value}
            onInput={(e) => {
              filter.value = (e.target as HTMLInputElement).value
            }}
          />
        </div>
        {help ? <ActionButton action={help} ctx={ctx} icon={<Keyboard size={18} aria-hidden="true" />} /> : null}
        <input
          ref={picker}
          type="file"
          multiple
          class="sr-only"
          tabIndex={-1}
          aria-label="Choose files to upload"
          onChange={(e) => {
            const input = e.target as HTMLInputElement
            const files = [...(input.files ?? [])].map((file) => ({ file, path: file.name }))
            input.value = ''
            void uploadInto(folder, files)
          }}
        />
      </div>
      <OperationBar />
      {listing.value === 'error' ? (
        <p class="error" role="alert">
          {listError.value}
        </p>
      ) : null}
      {/* One line of fixed height for the count or the selection's actions: selecting never moves the rows under the pointer. */}
      <div class={`status-line${ctx.selection.length ? ' selecting' : ''}`}>
        {ctx.selection.length ? (
          <div class="selection-bar" role="toolbar" aria-label="Selection actions">
            <span>{ctx.selection.length} selected</span>
            {actions()
              .filter((a) => a.menu && a.id !== 'open' && a.enabled(ctx))
              .map((a) => (
                <ActionButton key={a.id} action={a} ctx={ctx} />
              ))}
          </div>
        ) : null}
        <p class="count" aria-live="polite">
          {listing.value === 'listing'
            ? `Listing… ${listedSoFar.value.toLocaleString()} so far`
            : shown === count
              ? `${count.toLocaleString()} ${count === 1 ? 'item' : 'items'}`
              : `${shown.toLocaleString()} of ${count.toLocaleString()} items`}
        </p>
      </div>
      <FileList
        onOpen={openEntry}
        onKey={onListKey}
        onContextMenu={(e, _entry) => {
          e.preventDefault()
          if (!_entry) selected.value = new Set()
          menu.value = { x: e.clientX, y: e.clientY }
        }}
        onDropOnFolder={(f: FileEntry, data) => void dropOn(f.path, data)}
      />
      <ContextMenu />
    </section>
  )
}
