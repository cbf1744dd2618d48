/**
 * Removes everything a user owns, for account deletion: every object under their folder and
 * every item of their key-value partition. Runs with the user's own credentials, so it can
 * only ever touch what the policies give that user.
 */
import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { BATCH_WRITE_LIMIT, chunks, drain } from './kv-batch.js'
import { decodeListedKey, deletionBatches } from './s3-xml-keys.js'

export async function deleteAllObjects(s3: S3Client, bucket: string, identityId: string): Promise<number> {
  let deleted = 0
  let token: string | undefined
  do {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (EncodingType: keys XML cannot carry)
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${identityId}/`, ContinuationToken: token, EncodingType: 'url' }))
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [decodeListedKey(o.Key, page.EncodingType)] : []))
    for (const batch of deletionBatches(keys)) {
      if (batch.alone) {
        // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: batch.keys[0] }))
      } else {
        // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html (≤ 1,000 keys)
        const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.keys.map((Key) => ({ Key })), Quiet: true } }))
        if (result.Errors?.length)
          throw Object.assign(new Error(result.Errors[0]?.Message ?? 'DeleteObjects failed'), { name: result.Errors[0]?.Code ?? 'Error' })
      }
      deleted += batch.keys.length
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return deleted
}

/** Resends of a batch's unprocessed leftovers before giving up, as `kv` does (`kv-batch.ts`). */
const BATCH_RETRIES = 8

export async function deleteAllItems(
  ddb: DynamoDBDocumentClient,
  table: string,
  identityId: string,
  /** For tests: the wait between resends (default: real time). */
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<number> {
  let deleted = 0
  let start: Record<string, unknown> | undefined
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'identityId = :id',
        ExpressionAttributeValues: { ':id': identityId },
        ExpressionAttributeNames: { '#k': 'key' },
        ProjectionExpression: 'identityId, #k',
        ExclusiveStartKey: start,
      }),
    )
    const keys = page.Items ?? []
    for (const chunk of chunks(keys, BATCH_WRITE_LIMIT)) {
      // Leftovers (throttling, not errors) are resent with backoff while they shrink; a table
      // that keeps refusing ends in TooManyRequests instead of a loop that never stops.
      await drain<DeleteRequests>(
        chunk.map((Key) => ({ DeleteRequest: { Key } })),
        async (requests) => {
          const result: { UnprocessedItems?: Record<string, DeleteRequests> } = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }))
          const left = result.UnprocessedItems?.[table]
          return left?.length ? left : undefined
        },
        { retries: BATCH_RETRIES, count: (requests) => requests.length, sleep: options.sleep },
      )
    }
    deleted += keys.length
    start = page.LastEvaluatedKey
  } while (start)
  return deleted
}

type DeleteRequests = NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string]
