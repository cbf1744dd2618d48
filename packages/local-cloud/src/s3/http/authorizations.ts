/**
 * The IAM authorizations a parsed S3 operation needs; all must be allowed. Derived from the very
 * object that is then executed, so the key a policy sees is the key the engine touches.
 * Action names and context keys follow the S3 authorization reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { AuthorizationRequest } from '../../iam/evaluate.js'
import type { CopySource, S3Operation } from './parse.js'

export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`

/** `DeleteObjects` is authorized entry by entry (see `deleteEntryAuthorization`), so it needs nothing up front. */
export function s3Authorizations(op: S3Operation): AuthorizationRequest[] {
  switch (op.op) {
    case 'ListBuckets':
      return [{ action: 's3:ListAllMyBuckets', resource: '*' }]
    case 'CreateBucket':
      return [{ action: 's3:CreateBucket', resource: bucketArn(op.bucket) }]
    case 'HeadBucket':
      return [{ action: 's3:ListBucket', resource: bucketArn(op.bucket) }]
    case 'GetBucketLocation':
      return [{ action: 's3:GetBucketLocation', resource: bucketArn(op.bucket) }]
    case 'GetBucketVersioning':
      return [{ action: 's3:GetBucketVersioning', resource: bucketArn(op.bucket) }]
    case 'PutBucketVersioning':
      return [{ action: 's3:PutBucketVersioning', resource: bucketArn(op.bucket) }]
    case 'ListObjects':
      return [{ action: 's3:ListBucket', resource: bucketArn(op.bucket), context: listContext(op.prefix, op.delimiter, op.maxKeysSent) }]
    case 'ListObjectVersions':
      return [{ action: 's3:ListBucketVersions', resource: bucketArn(op.bucket), context: listContext(op.prefix, op.delimiter, op.maxKeysSent) }]
    case 'ListMultipartUploads':
      return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn(op.bucket) }]
    case 'DeleteObjects':
      return []
    case 'GetObject':
    case 'HeadObject':
      return [{ action: op.versionId !== undefined ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn(op.bucket, op.key) }]
    case 'GetObjectTagging':
      return [{ action: op.versionId !== undefined ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', resource: objectArn(op.bucket, op.key) }]
    case 'GetObjectAttributes': {
      const resource = objectArn(op.bucket, op.key)
      return op.versionId !== undefined
        ? [
            { action: 's3:GetObjectVersion', resource },
            { action: 's3:GetObjectVersionAttributes', resource },
          ]
        : [
            { action: 's3:GetObject', resource },
            { action: 's3:GetObjectAttributes', resource },
          ]
    }
    case 'PutObject':
    case 'CreateMultipartUpload':
      return withAcl(op.acl, [{ action: 's3:PutObject', resource: objectArn(op.bucket, op.key) }], op.bucket, op.key)
    case 'CopyObject':
      return withAcl(op.acl, [{ action: 's3:PutObject', resource: objectArn(op.bucket, op.key) }, sourceRead(op.source)], op.bucket, op.key)
    case 'UploadPart':
    case 'CompleteMultipartUpload':
      return [{ action: 's3:PutObject', resource: objectArn(op.bucket, op.key) }]
    case 'UploadPartCopy':
      return [{ action: 's3:PutObject', resource: objectArn(op.bucket, op.key) }, sourceRead(op.source)]
    case 'DeleteObject':
      return [{ action: op.versionId !== undefined ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: objectArn(op.bucket, op.key) }]
    case 'AbortMultipartUpload':
      return [{ action: 's3:AbortMultipartUpload', resource: objectArn(op.bucket, op.key) }]
    case 'ListParts':
      return [{ action: 's3:ListMultipartUploadParts', resource: objectArn(op.bucket, op.key) }]
    case 'Unsupported':
      return [
        {
          action: op.action,
          resource: op.bucket === undefined ? '*' : op.key === undefined ? bucketArn(op.bucket) : objectArn(op.bucket, op.key),
        },
      ]
  }
}

/** One entry of a DeleteObjects body, as AWS authorizes it: on its own. */
export function deleteEntryAuthorization(bucket: string, entry: { key: string; versionId?: string }): AuthorizationRequest {
  return { action: entry.versionId !== undefined ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: objectArn(bucket, entry.key) }
}

function sourceRead(source: CopySource): AuthorizationRequest {
  return { action: source.versionId !== undefined ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn(source.bucket, source.key) }
}

function withAcl(acl: string | undefined, requests: AuthorizationRequest[], bucket: string, key: string): AuthorizationRequest[] {
  return acl === undefined ? requests : [...requests, { action: 's3:PutObjectAcl', resource: objectArn(bucket, key) }]
}

/** The condition keys a listing carries: only those the client sent, as on AWS. */
function listContext(prefix: string | undefined, delimiter: string | undefined, maxKeysSent: string | undefined): Record<string, string> {
  const context: Record<string, string> = {}
  if (prefix !== undefined) context['s3:prefix'] = prefix
  if (delimiter !== undefined) context['s3:delimiter'] = delimiter
  if (maxKeysSent !== undefined) context['s3:max-keys'] = maxKeysSent
  return context
}
