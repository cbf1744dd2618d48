/**
 * Removes everything a user owns, for account deletion: every object under their folder and
 * every item of their key-value partition. Runs with the user's own credentials, so it can
 * only ever touch what the policies give that user.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'

export async function deleteAllObjects(s3: S3Client, bucket: string, identityId: string): Promise<number> {
  let deleted = 0
  let token: string | undefined
  do {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${identityId}/`, ContinuationToken: token }))
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []))
    if (keys.length > 0) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html (≤ 1,000 keys)
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }))
      if (result.Errors?.length)
        throw Object.assign(new Error(result.Errors[0]?.Message ?? 'DeleteObjects failed'), { name: result.Errors[0]?.Code ?? 'Error' })
      deleted += keys.length
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
