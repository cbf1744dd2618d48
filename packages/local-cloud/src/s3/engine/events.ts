/**
 * Change events, shaped as S3 event notification records, published once a change is
 * durable. Listeners run synchronously in commit order; one that throws is skipped, never
 * allowed to fail the write that already happened.
 */
import type { S3EventRecord } from './types.js'

export type EventName = S3EventRecord['eventName']

export class Events {
  private readonly listeners = new Set<(record: S3EventRecord) => void>()

  constructor(private readonly region: string) {}

  subscribe(listener: (record: S3EventRecord) => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  publish(eventName: EventName, bucket: string, key: string, object: { size?: number; etag?: string; versionId?: string }, seq: number, time: Date): void {
    if (this.listeners.size === 0) return
    const record: S3EventRecord = {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: this.region,
      eventTime: time.toISOString(),
      eventName,
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: {
          key: encodeEventKey(key),
          ...(object.size !== undefined ? { size: object.size } : {}),
          ...(object.etag !== undefined ? { eTag: object.etag.replace(/"/g, '') } : {}),
          ...(object.versionId !== undefined && object.versionId !== 'null' ? { versionId: object.versionId } : {}),
          sequencer: sequencer(seq),
        },
      },
    }
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(record))
      } catch {
        // A consumer's bug must not break the engine or starve the other listeners.
      }
    }
  }
}

/** Fixed-width upper-case hex, so sequencers compare as strings in commit order. */
export function sequencer(seq: number): string {
  return seq.toString(16).toUpperCase().padStart(16, '0')
}

/** S3 form-encodes keys in events: spaces as `+`, `/` kept, other reserved bytes as %XX. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
}
