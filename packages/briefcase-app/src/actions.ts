/**
 * The one registry of actions: the toolbar, the context menu, the keyboard and the `?` list all
 * read it, so a shortcut and its button can never disagree.
 */
import type { FileEntry } from '@whimsy/sdk'

export interface ActionContext {
  folder: string
  selection: FileEntry[]
}

export interface Action {
  id: string
  label: string
  /** Shown in menus and the shortcut list, e.g. "F2". */
  keys?: string
  /** Keyboard match; ignored while typing in a field. */
  key?: (e: KeyboardEvent) => boolean
  /** Shown in the toolbar even with nothing selected. */
  toolbar?: boolean
  /** Shown in the context menu and the selection bar. */
  menu?: boolean
  danger?: boolean
  enabled: (ctx: ActionContext) => boolean
  run: (ctx: ActionContext) => void | Promise<void>
}

const registry: Action[] = []

export function defineAction(action: Action): void {
  const i = registry.findIndex((a) => a.id === action.id)
  if (i >= 0) registry[i] = action
  else registry.push(action)
}

export function actions(): readonly Action[] {
  return registry
}

export function actionById(id: string): Action | undefined {
  return registry.find((a) => a.id === id)
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey

/** Key matchers: plain keys must come without Ctrl/Cmd/Alt, so browser shortcuts keep working. */
export const keys = {
  plain: (k: string) => (e: KeyboardEvent) => e.key === k && !mod(e) && !e.altKey,
  mod: (k: string) => (e: KeyboardEvent) => e.key.toLowerCase() === k && mod(e) && !e.altKey,
  alt: (k: string) => (e: KeyboardEvent) => e.key === k && e.altKey && !mod(e),
  any:
    (...matchers: ((e: KeyboardEvent) => boolean)[]) =>
    (e: KeyboardEvent) =>
      matchers.some((m) => m(e)),
}

export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
}

/** Runs the first enabled action whose key matches; true when one did. */
export function dispatchKey(e: KeyboardEvent, ctx: ActionContext): boolean {
  if (isTyping(e)) return false
  for (const a of registry) {
    if (a.key?.(e) && a.enabled(ctx)) {
      e.preventDefault()
      void a.run(ctx)
      return true
    }
  }
  return false
}
