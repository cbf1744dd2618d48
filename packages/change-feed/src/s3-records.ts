/**
 * S3 event notification records (what S3 sends the Lambda, and what the local engine
 * publishes) → changes of their owners' files. Keys are `<identityId>/<path>`; anything else
 * in the bucket belongs to no user and is not logged.
 */
import { createHash } from 'node:crypto'
import type { ChangeInput } from './change-log.js'

export interface S3EventRecordLike {
  eventName: string
  eventTime: string
  s3: { object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string } }
}

const OWNER = /^([a-z]{2}(?:-[a-z]+)+-\d:[0-9a-f-]{36})\/(.+)$/

export function changeOfS3Record(record: S3EventRecordLike): ChangeInput | undefined {
  const created = record.eventName.startsWith('ObjectCreated:')
  const removed = record.eventName.startsWith('ObjectRemoved:')
  if (!created && !removed) return undefined
  const object = record.s3.object
  const key = decodeEventKey(object.key)
  const m = OWNER.exec(key)
  if (!m || object.sequencer === undefined) return undefined
  const identityId = m[1] as string
  const sequencer = object.sequencer.toUpperCase().padStart(32, '0')
  const change: ChangeInput = {
    identityId,
    // S3 events carry no id; the key with its sequencer and version names one event (and its repeats).
    eventId: `s3:${createHash('sha256')
      .update(`${key}\n${sequencer}\n${object.versionId ?? ''}\n${record.eventName}`)
      .digest('base64url')
      .slice(0, 32)}`,
    kind: 'file',
    op: created ? 'put' : 'delete',
    name: `/${m[2]}`,
    sequencer,
    time: Date.parse(record.eventTime),
  }
  if (object.eTag) change.etag = `"${object.eTag.replace(/"/g, '')}"`
  if (object.versionId) change.versionId = object.versionId
  if (created && object.size !== undefined) change.size = Number(object.size)
  return change
}

/** S3 form-encodes keys in events: `+` for a space, %XX for reserved bytes. */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '))
}
