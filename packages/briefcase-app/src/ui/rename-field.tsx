/**
 * Inline rename: F2 (or "Rename") turns the row's name into a field. Enter commits, Escape
 * cancels, leaving the field commits a valid change. Phone-sized screens keep the dialog, where a
 * field inside a 44 px row is too small to edit with a thumb.
 */
import { signal } from '@preact/signals'
import type { FileEntry } from '@whimsy/sdk'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import { renameEntry } from '../state/operations.js'

/** The key of the row being renamed in place, if any. */
export const renaming = signal<string | undefined>(undefined)

export function renamesInline(): boolean {
  return !matchMedia('(max-width: 640px)').matches
}

export function RenameField({ entry, folder, check }: { entry: FileEntry; folder: string; check: (name: string) => string | undefined }) {
  const input = useRef<HTMLInputElement>(null)
  const [value, setValue] = useState(entry.name)
  const [error, setError] = useState<string | undefined>(undefined)
  const done = useRef(false)

  useLayoutEffect(() => {
    const el = input.current
    if (!el) return
    el.focus()
    // The name without its extension, as file managers do, so typing keeps ".txt".
    const dot = entry.type === 'file' ? entry.name.lastIndexOf('.') : -1
    el.setSelectionRange(0, dot > 0 ? dot : entry.name.length)
  }, [])

  /** `leaving`: focus went elsewhere, so a name that is not valid is dropped rather than held. */
  const finish = (commit: boolean, leaving = false) => {
    if (done.current) return
    const name = value.trim()
    if (commit && name !== entry.name) {
      const problem = check(name)
      if (problem && !leaving) return setError(problem)
      if (problem) commit = false
    }
    done.current = true
    renaming.value = undefined
    // Back to the grid, which carries the keyboard cursor.
    ;(input.current?.closest('[role="grid"]') as HTMLElement | null)?.focus()
    if (commit && name !== entry.name) void renameEntry(entry, folder, name)
  }

  return (
    <span class="rename">
      <input
        ref={input}
        class="rename-input"
        aria-label="New name"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'rename-error' : undefined}
        value={value}
        onInput={(e) => {
          setValue((e.target as HTMLInputElement).value)
          setError(undefined)
        }}
        // The grid's keys (arrows, Delete, Ctrl+A…) must not act while the name is edited.
        onKeyDown={(e) => {
          e.stopPropagation()
          if (e.key === 'Enter') {
            e.preventDefault()
            finish(true)
          } else if (e.key === 'Escape') {
            e.preventDefault()
            finish(false)
          }
        }}
        onBlur={() => finish(true, true)}
        onClick={(e) => e.stopPropagation()}
        onDblClick={(e) => e.stopPropagation()}
        onPointerDown={(e) => e.stopPropagation()}
      />
      {error ? (
        <span id="rename-error" class="rename-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  )
}
