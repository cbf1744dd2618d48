/**
 * The upload queue: a few files at a time, each with progress, speed, cancel and retry. Name
 * conflicts are settled before any bytes are sent. The queue survives a lost session: uploads
 * refused for it wait and carry on after the user signs in again.
 */
import { effect, signal } from '@preact/signals'
import { isWhimsyError } from '@whimsy/sdk'
import type { DroppedFile } from '../folder-walker.js'
import { freeName, joinPath } from '../format.js'
import { entries, folderPath, refresh } from './folder.js'
import { discardInterrupted, forgetUpload, type Interrupted, interruptedUpload, noteUpload } from './interrupted-uploads.js'
import { sessionLost, whimsy } from './session.js'
import { adjustUsage } from './usage.js'

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled'

export interface Upload {
  id: number
  file: File
  /** Destination path. */
  path: string
  status: UploadStatus
  loaded: number
  speed: number
  error?: string
}

export type ConflictChoice = 'replace' | 'keep-both' | 'skip'
/** Asks the user about names that exist already; set by the UI. */
export type ConflictAsker = (names: string[]) => Promise<ConflictChoice | undefined>
export type ResumeChoice = 'resume' | 'restart'
/** Asks whether to resume a large upload that stopped before (the same file, to the same place). */
export type ResumeAsker = (stopped: Interrupted) => Promise<ResumeChoice | undefined>

export const uploads = signal<Upload[]>([])
const PARALLEL = 3
let nextId = 1
const controllers = new Map<number, AbortController>()

function patch(id: number, fields: Partial<Upload>): void {
  uploads.value = uploads.value.map((u) => (u.id === id ? { ...u, ...fields } : u))
}

/** Adds dropped or picked files under `folder`, after settling conflicts of their top-level names. */
export async function enqueue(folder: string, files: DroppedFile[], ask: ConflictAsker, askResume?: ResumeAsker): Promise<void> {
  if (files.length === 0) return
  const tops = [...new Set(files.map((f) => f.path.split('/')[0] ?? f.path))]
  const exists = async (name: string) => (folder === folderPath.value ? entries.value.some((e) => e.name === name) : whimsy().fs.exists(joinPath(folder, name)))
  const clashing: string[] = []
  for (const name of tops) if (await exists(name)) clashing.push(name)
  let choice: ConflictChoice | undefined = 'replace'
  if (clashing.length) choice = await ask(clashing)
  if (!choice) return
  const renamed = new Map<string, string>()
  const taken = new Set([...entries.value.map((e) => e.name), ...tops])
  for (const name of clashing) {
    if (choice === 'keep-both') {
      const fresh = freeName(name, (n) => taken.has(n))
      taken.add(fresh)
      renamed.set(name, fresh)
    }
  }
  const added: Upload[] = []
  for (const f of files) {
    const [top = f.path, ...rest] = f.path.split('/')
    if (choice === 'skip' && clashing.includes(top)) continue
    const name = [renamed.get(top) ?? top, ...rest].join('/')
    const path = joinPath(folder, name)
    // The same large file stopped on its way to the same place: resume it, or start over.
    const stopped = interruptedUpload(path, f.file)
    const running = uploads.value.some((u) => u.path === path && (u.status === 'uploading' || u.status === 'queued'))
    if (stopped && !running && askResume) {
      const how = await askResume(stopped)
      if (!how) continue
      if (how === 'restart') await discardInterrupted(path, f.file)
    }
    added.push({ id: nextId++, file: f.file, path, status: 'queued', loaded: 0, speed: 0 })
  }
  uploads.value = [...uploads.value, ...added]
  pump()
}

function pump(): void {
  if (sessionLost.value) return
  const running = uploads.value.filter((u) => u.status === 'uploading').length
  const next = uploads.value.filter((u) => u.status === 'queued').slice(0, Math.max(0, PARALLEL - running))
  for (const u of next) void run(u)
}

async function run(u: Upload): Promise<void> {
  const controller = new AbortController()
  controllers.set(u.id, controller)
  patch(u.id, { status: 'uploading', loaded: 0, speed: 0, error: undefined })
  const started = performance.now()
  // A resumed upload starts at the bytes already sent: the speed counts only what this run sends.
  let resumedAt: number | undefined
  let noted = 0
  noteUpload(u.path, u.file, 0)
  try {
    await whimsy().fs.upload(u.path, u.file, {
      signal: controller.signal,
      onProgress: ({ loaded }) => {
        resumedAt ??= loaded
        const seconds = (performance.now() - started) / 1000
        patch(u.id, { loaded, speed: seconds > 0 ? (loaded - resumedAt) / seconds : 0 })
        // Often enough to say how far it got, rarely enough not to write storage for every part.
        if (loaded - noted >= 4 * 1024 * 1024) {
          noted = loaded
          noteUpload(u.path, u.file, loaded)
        }
      },
    })
    forgetUpload(u.path, u.file)
    patch(u.id, { status: 'done', loaded: u.file.size })
    adjustUsage(u.file.size, 1)
    scheduleRefresh(u.path)
  } catch (e) {
    if (controller.signal.aborted || isWhimsyError(e, 'Aborted')) {
      // Cancelled for good: the SDK removed the parts, so there is nothing to resume.
      forgetUpload(u.path, u.file)
      patch(u.id, { status: 'cancelled' })
    } else if (isWhimsyError(e, 'NotSignedIn')) patch(u.id, { status: 'queued' })
    else patch(u.id, { status: 'failed', error: e instanceof Error ? e.message : String(e) })
  } finally {
    controllers.delete(u.id)
    pump()
  }
}

let refreshQueued = false
/** Many small files finish close together: one listing for them, not one each. */
function scheduleRefresh(path: string): void {
  if (!path.startsWith(folderPath.value === '/' ? '/' : `${folderPath.value}/`) || refreshQueued) return
  refreshQueued = true
  queueMicrotask(() => {
    refreshQueued = false
    void refresh()
  })
}

export function cancelUpload(id: number): void {
  const c = controllers.get(id)
  if (c) c.abort()
  else patch(id, { status: 'cancelled' })
}

export function retryUpload(id: number): void {
  patch(id, { status: 'queued', error: undefined, loaded: 0 })
  pump()
}

export function clearFinished(): void {
  uploads.value = uploads.value.filter((u) => u.status === 'queued' || u.status === 'uploading')
}

// Uploads that waited for a new session carry on once it is back.
effect(() => {
  if (!sessionLost.value) pump()
})
