/**
 * Account deletion's trusted half: erases every trace of one identity — every object version
 * and delete marker under `<identityId>/`, unfinished multipart uploads, every key-value item in
 * its partition, its handle — which the user's own credentials cannot (by design they may not
 * delete versions). Runs in the erase function (production: a Lambda behind the handles HTTP
 * API's `DELETE /account`) and in the local cloud, with AWS SDK clients either way; the caller
 * has already proven whose account it is (`handles-api.ts`).
 *
 * Other stores that keep per-user data join through `extraErasers` (the change log, issue 15).
 * Every step is idempotent, so a failed erase is finished by calling it again.
 */
import { BatchWriteItemCommand, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb'
import { AbortMultipartUploadCommand, DeleteObjectsCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3'
import type { HandleRegistry } from './registry.js'

export interface AccountEraserOptions {
  s3: S3Client
  bucket: string
  dynamodb: DynamoDBClient
  /** The key-value table: partition key `identityId`, sort key `key`. */
  table: string
  registry: Pick<HandleRegistry, 'unclaim'>
  /** Hook for stores wired later (the change log): each erases its part of the identity. */
  extraErasers?: ((identityId: string) => Promise<void>)[]
  /** Told the handle that was released, e.g. to drop cached lookups. */
  onReleased?: (handle: string) => void
}

export interface EraseResult {
  /** Object versions and delete markers removed. */
  versions: number
  uploads: number
  items: number
  handle: string | null
}

/** DynamoDB's batch writes leave items unprocessed under load; resend them this often, then fail. */
const BATCH_RETRIES = 8

export class EraseError extends Error {
  override name = 'EraseError'
}

export function createAccountEraser(options: AccountEraserOptions) {
  const { s3, bucket, dynamodb, table } = options

  async function eraseObjects(prefix: string): Promise<number> {
    let removed = 0
    let keyMarker: string | undefined
    let versionIdMarker: string | undefined
    do {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }))
      const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].filter((v) => v.Key?.startsWith(prefix))
      for (let i = 0; i < entries.length; i += 1000) {
        const batch = entries.slice(i, i + 1000).map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }))
        const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }))
        if (result.Errors?.length) throw new EraseError(`Could not delete ${result.Errors.length} object versions (${result.Errors[0]?.Code}); try again.`)
        removed += batch.length
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined
    } while (keyMarker)
    return removed
  }

  async function abortUploads(prefix: string): Promise<number> {
    let aborted = 0
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    do {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }))
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key?.startsWith(prefix)) continue
        await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }))
        aborted++
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined
    } while (keyMarker)
    return aborted
  }

  async function eraseItems(identityId: string): Promise<number> {
    let removed = 0
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined
    do {
      const page = await dynamodb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#id = :id',
          ExpressionAttributeNames: { '#id': 'identityId', '#k': 'key' },
          ExpressionAttributeValues: { ':id': { S: identityId } },
          ProjectionExpression: '#id, #k',
          ExclusiveStartKey: start,
        }),
      )
      const keys = page.Items ?? []
      for (let i = 0; i < keys.length; i += 25) {
        let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }))
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > BATCH_RETRIES) throw new EraseError('The key-value table kept refusing deletes; try again.')
          const result = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }))
          const left = (result.UnprocessedItems?.[table] ?? []) as typeof requests
          removed += requests.length - left.length
          requests = left
        }
      }
      start = page.LastEvaluatedKey
    } while (start)
    return removed
  }

  return {
    /** Erases everything `identityId` owns. The caller has proven the identity. */
    async erase(identityId: string): Promise<EraseResult> {
      if (!/^[\w-]+:[0-9a-f-]{36}$/.test(identityId)) throw new EraseError(`Not an identity id: ${identityId}`)
      const prefix = `${identityId}/`
      const uploads = await abortUploads(prefix)
      const versions = await eraseObjects(prefix)
      const items = await eraseItems(identityId)
      for (const erase of options.extraErasers ?? []) await erase(identityId)
      const handle = await options.registry.unclaim(identityId)
      if (handle) options.onReleased?.(handle)
      return { versions, uploads, items, handle }
    },
  }
}

export type AccountEraser = ReturnType<typeof createAccountEraser>
