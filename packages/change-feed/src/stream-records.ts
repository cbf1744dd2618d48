/**
 * The key-value table's changes → change-log entries: DynamoDB Stream records (production) or
 * the local gateway's successful writes, both reduced to `KvWrite` first.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { ChangeInput } from './change-log.js'

/** One committed write to one item of the key-value table. */
export interface KvWrite {
  identityId: string
  /** The stored sort key (`<app>:<key>`). */
  key: string
  op: 'put' | 'delete'
  /** The item's `version` after a put, before a delete, when known. */
  version?: number
  eventId: string
  /** Orders the writes of one item; compared as strings after padding. */
  sequencer: string
  time: number
}

export function changeOfKvWrite(write: KvWrite): ChangeInput {
  const change: ChangeInput = {
    identityId: write.identityId,
    eventId: write.eventId,
    kind: 'kv',
    op: write.op,
    name: write.key,
    sequencer: write.sequencer.padStart(40, '0'),
    time: write.time,
  }
  if (write.version !== undefined && Number.isFinite(write.version)) change.version = write.version
  return change
}

/** The part of a DynamoDB Stream record the writer reads (view type NEW_AND_OLD_IMAGES). */
export interface StreamRecordLike {
  eventID?: string
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' | string
  dynamodb?: {
    Keys?: Record<string, AttributeValue>
    NewImage?: Record<string, AttributeValue>
    OldImage?: Record<string, AttributeValue>
    SequenceNumber?: string
    ApproximateCreationDateTime?: number
  }
}

export function kvWriteOfStreamRecord(record: StreamRecordLike): KvWrite | undefined {
  const d = record.dynamodb
  const identityId = d?.Keys?.identityId?.S
  const key = d?.Keys?.key?.S
  if (!d || !identityId || !key || !record.eventID || !d.SequenceNumber) return undefined
  const removed = record.eventName === 'REMOVE'
  const image = removed ? d.OldImage : d.NewImage
  const write: KvWrite = {
    identityId,
    key,
    op: removed ? 'delete' : 'put',
    eventId: `kv:${record.eventID}`,
    sequencer: d.SequenceNumber,
    time: Math.round((d.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000),
  }
  const version = image?.version?.N
  if (version !== undefined) write.version = Number(version)
  return write
}
