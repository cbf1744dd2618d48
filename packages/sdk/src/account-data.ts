/**
 * Removes everything a user owns, for account deletion: every object under their folder and
 * every item of their key-value partition. Runs with the user's own credentials, so it can
 * only ever touch what the policies give that user.
 */
import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
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

export async function deleteAllItems(ddb: DynamoDBDocumentClient, table: string, identityId: string): Promise<number> {
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
    for (let i = 0; i < keys.length; i += 25) {
      let requests: NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string] | undefined = keys
        .slice(i, i + 25)
        .map((Key) => ({ DeleteRequest: { Key } }))
      for (let attempt = 0; requests && requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)))
        const result: { UnprocessedItems?: Record<string, typeof requests> } = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }))
        requests = result.UnprocessedItems?.[table]
      }
    }
    deleted += keys.length
    start = page.LastEvaluatedKey
  } while (start)
  return deleted
}
