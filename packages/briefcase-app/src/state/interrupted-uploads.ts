/**
 * Large uploads that stopped before they finished (a dropped connection, a closed tab), kept in
 * this browser's localStorage so that choosing the same file again can offer to resume. The SDK
 * itself resumes an upload of the same File to the same path (sending only the parts S3 lacks);
 * this record is what lets the app ask first, and say how much was sent.
 */
import { whimsy } from './session.js'

/** Above this the SDK sends a file in parts that survive an interruption (its README: "over 16 MiB"). */
export const RESUMABLE_ABOVE = 16 * 1024 * 1024
const KEY = 'briefcase.interrupted-uploads'

export interface Interrupted {
  /** The signed-in identity: several users may share a browser. */
  owner: string
  path: string
  name: string
  size: number
  lastModified: number
  /** Bytes confirmed sent when last heard of. */
  loaded: number
}

function readAll(): Interrupted[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown
    return Array.isArray(list) ? (list as Interrupted[]) : []
  } catch {
    return []
  }
}

function writeAll(list: Interrupted[]): void {
  try {
    if (list.length) localStorage.setItem(KEY, JSON.stringify(list))
    else localStorage.removeItem(KEY)
  } catch {
    // Storage full or refused: resuming still works through the SDK, without the offer.
  }
}

const owner = () => whimsy().auth.user?.identityId ?? ''
const same = (r: Interrupted, path: string, file: File) =>
  r.owner === owner() && r.path === path && r.name === file.name && r.size === file.size && r.lastModified === file.lastModified

/** The stopped upload of this very file to this path, if there is one. */
export function interruptedUpload(path: string, file: File): Interrupted | undefined {
  return readAll().find((r) => same(r, path, file))
}

/** Notes an upload under way (until `forgetUpload`): if the page goes away, it is an interrupted one. */
export function noteUpload(path: string, file: File, loaded: number): void {
  if (file.size <= RESUMABLE_ABOVE) return
  const others = readAll().filter((r) => !same(r, path, file))
  writeAll([...others, { owner: owner(), path, name: file.name, size: file.size, lastModified: file.lastModified, loaded }])
}

export function forgetUpload(path: string, file: File): void {
  const list = readAll()
  const rest = list.filter((r) => !same(r, path, file))
  if (rest.length !== list.length) writeAll(rest)
}

/**
 * Starting over: the SDK would resume the same File, so its kept parts are removed first. A task
 * paused before it sends and then cancelled removes them (the SDK's cancel of a paused upload).
 */
export async function discardInterrupted(path: string, file: File): Promise<void> {
  const task = whimsy().fs.upload(path, file)
  task.pause()
  task.cancel()
  await task.catch(() => {})
  forgetUpload(path, file)
}
