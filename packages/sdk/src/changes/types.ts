/** What `whimsy.changes`, `fs.watch` and `kv.watch` deliver. */

/** One committed change of the user's files or key-value data, from their change log. */
export interface Change {
  type: 'change'
  /** Position in the user's log: increasing, per user. Keep the last one as a cursor (`since`). */
  seq: number
  /** The same for every delivery of one event (duplicates are dropped by this SDK). */
  eventId: string
  kind: 'file' | 'kv'
  op: 'put' | 'delete'
  /** Files: the path (`/photos/a.jpg`). */
  path?: string
  /** Key-value data: for `changes.subscribe` the stored key (`<app>:<key>`, `:<key>` for `whimsy.kv`); for `kv.watch` the app's key. */
  key?: string
  etag?: string
  versionId?: string
  /** Key-value data: the item's version after a put, before a delete. */
  version?: number
  size?: number
  time: Date
  /** Whether this device made the change: it wrote this ETag/version itself. */
  fromThisDevice: boolean
}

/**
 * The cursor was older than the log's retention (or the log was erased): changes were missed.
 * Reload what is on screen; delivery continues after `seq`.
 */
export interface Resync {
  type: 'resync'
  seq: number
}

export type ChangeEvent = Change | Resync

export interface SubscribeOptions {
  /**
   * Deliver changes after this sequence number. Default: where this session's last delivery
   * stopped (kept with the session, so a reload resumes), else from now on.
   */
  since?: number
}

/** The WebSocket constructor (the browser's; in Node 20, `ws`'s). Without one the SDK polls the log. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: unknown) => void) | null
  onerror: ((event: unknown) => void) | null
}

export interface ChangeFeedOptions {
  /** Default: `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor
  /** How often the log is read while no socket can be had. Default 5 s. */
  pollIntervalMs?: number
}
