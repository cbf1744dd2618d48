/**
 * The change log's layout: one DynamoDB table per deployment, partition key `identityId`,
 * numeric sort key `seq`. A user's own partition holds their entries (seq 1, 2, …) and, at
 * seq 0, the head item: `head` = the last sequence number handed out; `bytes` and `files`, the
 * totals of the user's current files (present only when this writer kept them from the log's
 * first entry on); and, while an append is being applied, `pending` (see writer.ts). Only
 * trusted code writes it; the owner may read their partition (the same `LeadingKeys` scoping
 * as the key-value table, read-only), so `fs.usage()` is one `GetItem`.
 *
 * The writer's bookkeeping (the per-key head: last sequencer appended, and for files the
 * current size) lives in partitions whose key starts with `#` — identityIds never contain one —
 * so `LeadingKeys` = identityId can never reach them. (Older writers also kept `#event#`
 * markers; the erase still removes them.)
 */

export const PARTITION = 'identityId'
export const SORT = 'seq'

/** How long entries are kept (the table's TTL on `expiresAt`); an older cursor gets "resync". */
export const DEFAULT_RETENTION_SECONDS = 14 * 24 * 3600

export type ChangeKind = 'file' | 'kv'
export type ChangeOp = 'put' | 'delete'

/** One committed change, as the writer receives it from S3 events or the key-value table's stream. */
export interface ChangeInput {
  identityId: string
  /** The same for every delivery of the same event: what duplicates are recognised by. */
  eventId: string
  kind: ChangeKind
  op: ChangeOp
  /** Files: the path under the user's root (`/photos/a.jpg`). Key-value: the stored sort key (`<app>:<key>`). */
  name: string
  /** Orders the changes of one name: fixed-width, compared as strings. */
  sequencer: string
  etag?: string
  versionId?: string
  /** Key-value items: the item's `version` attribute. */
  version?: number
  size?: number
  /** Commit time, epoch milliseconds. */
  time: number
}

/** An entry of the log, as stored and as the owner reads it (less the writer's `sequencer`). */
export interface ChangeEntry {
  seq: number
  eventId: string
  kind: ChangeKind
  op: ChangeOp
  path?: string
  key?: string
  etag?: string
  versionId?: string
  version?: number
  size?: number
  time: number
  /** Epoch seconds: the table's TTL attribute. */
  expiresAt: number
}

/** The head item's attributes for the totals of current files (folder markers, `…/`, are not files). */
export const USAGE_BYTES = 'bytes'
export const USAGE_FILES = 'files'

/** Whether a name counts in the totals: listings hide folder markers, so the totals do too. */
export const countsAsFile = (change: Pick<ChangeInput, 'kind' | 'name'>) => change.kind === 'file' && !change.name.endsWith('/')

export const eventMarkerPartition = (identityId: string, eventId: string) => `#event#${identityId}#${eventId}`
export const keyStatePartition = (identityId: string, kind: ChangeKind, name: string) => `#key#${identityId}#${kind}#${name}`
