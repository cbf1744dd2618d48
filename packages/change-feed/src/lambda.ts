/**
 * The feed writer's Lambda: invoked by the files bucket's event notifications and by the
 * key-value table's DynamoDB Stream (event-source mapping). A thrown error makes AWS retry the
 * delivery; the writer is idempotent by eventId, so a retry appends nothing twice.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DEFAULT_RETENTION_SECONDS } from './change-log.js'
import { createPublisher } from './publisher.js'
import { changeOfS3Record, type S3EventRecordLike } from './s3-records.js'
import { changeOfKvWrite, kvWriteOfStreamRecord, type StreamRecordLike } from './stream-records.js'
import { ChangeLogWriter } from './writer.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}

const region = env('AWS_REGION')
const publish = createPublisher({
  http: env('WHIMSY_EVENTS_HTTP'),
  region,
  credentials: async () => ({
    accessKeyId: env('AWS_ACCESS_KEY_ID'),
    secretAccessKey: env('AWS_SECRET_ACCESS_KEY'),
    sessionToken: process.env.AWS_SESSION_TOKEN,
  }),
})
const writer = new ChangeLogWriter({
  ddb: new DynamoDBClient({ region }),
  table: env('WHIMSY_CHANGES_TABLE'),
  retentionSeconds: Number(process.env.WHIMSY_RETENTION_SECONDS ?? DEFAULT_RETENTION_SECONDS),
  onAppended: (identityId, head) => publish(identityId, head).catch((e: unknown) => console.warn('[change feed] publish failed', e)),
})

type AnyRecord = (S3EventRecordLike & { eventSource?: string }) | (StreamRecordLike & { eventSource?: string })

/**
 * `event` is a delivery (S3 notification, stream batch) or, for a redrive, the record the
 * dead-letter queue kept of a failed asynchronous invocation: the original event is its
 * `requestPayload` (infra/README.md).
 */
export async function handler(event: { Records?: AnyRecord[]; requestPayload?: { Records?: AnyRecord[] } }): Promise<void> {
  const records = event.Records ?? event.requestPayload?.Records ?? []
  const changes = records.flatMap((record) => {
    if (record.eventSource === 'aws:s3') return [changeOfS3Record(record as S3EventRecordLike)].filter((c) => c !== undefined)
    if (record.eventSource === 'aws:dynamodb') {
      const write = kvWriteOfStreamRecord(record as StreamRecordLike)
      return write ? [changeOfKvWrite(write)] : []
    }
    return []
  })
  await writer.append(changes)
}
