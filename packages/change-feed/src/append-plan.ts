/**
 * Step 3 of the writer (writer.ts): what a chunk of one user's changes does to their log,
 * decided against the key heads and the head item as read. Pure: no request is made here, so
 * the decision is remade from scratch whenever a concurrent run got its write in first.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { type ChangeInput, countsAsFile, keyStatePartition, PARTITION, SORT, USAGE_BYTES, USAGE_FILES } from './change-log.js'
import type { AppendOutcome } from './writer.js'

type Item = Record<string, AttributeValue>

export interface AppendPlan {
  outcomes: AppendOutcome[]
  /** The new entries, at head + 1 … */
  entries: Item[]
  /** The key heads to write: the last appended change of each key. */
  keyHeads: Item[]
  /** The head after the entries. */
  head: number
  /** The totals after the entries, when this log keeps them (from its first entry on). */
  totals?: { bytes: number; files: number }
}

/** `changes` are in sequencer order per key; `expiresAt` is the entries' TTL (epoch seconds). */
export function planAppend(changes: readonly ChangeInput[], keyHeads: Map<string, Item>, headItem: Item | undefined, expiresAt: number): AppendPlan {
  let head = Number(headItem?.head?.N ?? 0)
  // A head item written before the writer kept totals has none: they could not be right, so
  // they stay absent and readers count by listing (fs.usage's fallback).
  const totals = headItem === undefined ? { bytes: 0, files: 0 } : readTotals(headItem)
  const states = new Map(keyHeads)
  const changed = new Map<string, Item>()
  const entries: Item[] = []
  const outcomes = changes.map((change): AppendOutcome => {
    const partition = keyStatePartition(change.identityId, change.kind, change.name)
    const state = states.get(partition)
    const last = state?.sequencer?.S
    if (last !== undefined && last > change.sequencer) return { skipped: 'superseded' }
    // The key head's own event again. A key head without `at` is an older writer's claim,
    // which may have no entry: append (again, at worst; the SDK drops the duplicate).
    if (last === change.sequencer && state?.at !== undefined) return { skipped: 'duplicate' }
    head++
    entries.push(entryItem(change, head, expiresAt))
    const next = keyHeadItem(partition, change, head, expiresAt)
    if (totals && countsAsFile(change)) {
      const before = state?.exists?.BOOL === true ? Number(state.size?.N ?? 0) : undefined
      if (change.op === 'put') {
        totals.bytes += (change.size ?? 0) - (before ?? 0)
        if (before === undefined) totals.files++
      } else if (before !== undefined) {
        totals.bytes -= before
        totals.files--
      }
    }
    states.set(partition, next)
    changed.set(partition, next)
    return { appended: head }
  })
  const plan: AppendPlan = { outcomes, entries, keyHeads: [...changed.values()], head }
  if (totals) plan.totals = totals
  return plan
}

function readTotals(headItem: Item): { bytes: number; files: number } | undefined {
  const bytes = headItem[USAGE_BYTES]?.N
  const files = headItem[USAGE_FILES]?.N
  return bytes === undefined || files === undefined ? undefined : { bytes: Number(bytes), files: Number(files) }
}

function keyHeadItem(partition: string, change: ChangeInput, at: number, expiresAt: number): Item {
  const item: Item = {
    [PARTITION]: { S: partition },
    [SORT]: { N: '0' },
    sequencer: { S: change.sequencer },
    at: { N: String(at) },
    eventId: { S: change.eventId },
  }
  const exists = change.kind === 'file' && change.op === 'put'
  if (change.kind === 'file') {
    item.exists = { BOOL: exists }
    if (exists) item.size = { N: String(change.size ?? 0) }
  }
  // The size of an existing file is needed as long as the file exists; the rest only while a
  // late event could still come (the log's retention is far longer than any delivery delay).
  if (!exists) item.expiresAt = { N: String(expiresAt) }
  return item
}

function entryItem(change: ChangeInput, seq: number, expiresAt: number): Item {
  const item: Item = {
    [PARTITION]: { S: change.identityId },
    [SORT]: { N: String(seq) },
    eventId: { S: change.eventId },
    kind: { S: change.kind },
    op: { S: change.op },
    [change.kind === 'file' ? 'path' : 'key']: { S: change.name },
    time: { N: String(change.time) },
    expiresAt: { N: String(expiresAt) },
  }
  if (change.etag !== undefined) item.etag = { S: change.etag }
  if (change.versionId !== undefined) item.versionId = { S: change.versionId }
  if (change.version !== undefined) item.version = { N: String(change.version) }
  if (change.size !== undefined) item.size = { N: String(change.size) }
  return item
}
