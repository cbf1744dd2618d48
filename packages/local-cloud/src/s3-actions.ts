/**
 * Maps an S3 REST request (path-style) to the IAM authorizations AWS would check for it.
 * Action names and context keys follow the S3 authorization reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { AuthorizationRequest } from './iam/evaluate.js'

export interface S3Target {
  bucket: string | undefined
  /** Decoded object key; undefined for bucket and service requests. */
  key: string | undefined
}

/** Splits a raw path-style path into bucket and decoded key. Throws URIError on bad escapes. */
export function parseS3Path(rawPath: string): S3Target {
  const [, bucket = '', ...rest] = rawPath.split('/')
  if (!bucket) return { bucket: undefined, key: undefined }
  const key = rest.join('/')
  return { bucket: decodeURIComponent(bucket), key: key === '' ? undefined : decodeURIComponent(key) }
}

export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`

/** Subresources that turn an object request into a different action. */
const OBJECT_SUBRESOURCES: Record<string, Partial<Record<string, string>>> = {
  tagging: { GET: 's3:GetObjectTagging', PUT: 's3:PutObjectTagging', DELETE: 's3:DeleteObjectTagging' },
  acl: { GET: 's3:GetObjectAcl', PUT: 's3:PutObjectAcl' },
  attributes: { GET: 's3:GetObjectAttributes', HEAD: 's3:GetObjectAttributes' },
  retention: { GET: 's3:GetObjectRetention', PUT: 's3:PutObjectRetention' },
  'legal-hold': { GET: 's3:GetObjectLegalHold', PUT: 's3:PutObjectLegalHold' },
  restore: { POST: 's3:RestoreObject' },
  select: { POST: 's3:GetObject' },
  torrent: { GET: 's3:GetObjectTorrent' },
}

/**
 * The authorizations one request needs; all must be allowed. A copy needs `s3:GetObject` on
 * its source as well. `DeleteObjects` is authorized key by key by its caller, so it is absent.
 */
export function s3Authorizations(
  method: string,
  target: S3Target,
  query: URLSearchParams,
  headers: Readonly<Record<string, string | undefined>>,
): AuthorizationRequest[] {
  const { bucket, key } = target
  if (bucket === undefined) return [{ action: 's3:ListAllMyBuckets', resource: '*' }]
  if (key === undefined) return [bucketAuthorization(method, bucket, query)]

  const resource = objectArn(bucket, key)
  for (const [sub, actions] of Object.entries(OBJECT_SUBRESOURCES)) {
    if (query.has(sub)) return [{ action: actions[method] ?? `s3:${method}Object${sub}`, resource }]
  }
  const out: AuthorizationRequest[] = []
  if (method === 'GET' || method === 'HEAD') {
    out.push({ action: query.has('uploadId') ? 's3:ListMultipartUploadParts' : query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', resource })
  } else if (method === 'PUT' || method === 'POST') {
    // PutObject, UploadPart, CreateMultipartUpload and CompleteMultipartUpload all need s3:PutObject.
    out.push({ action: 's3:PutObject', resource })
  } else if (method === 'DELETE') {
    out.push({ action: query.has('uploadId') ? 's3:AbortMultipartUpload' : query.has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource })
  } else {
    out.push({ action: `s3:${method}`, resource })
  }
  const copySource = headers['x-amz-copy-source']
  if (method === 'PUT' && copySource !== undefined) {
    const source = parseCopySource(copySource)
    out.push(source ? { action: 's3:GetObject', resource: objectArn(source.bucket, source.key) } : { action: 's3:GetObject', resource: 'invalid' })
  }
  return out
}

function bucketAuthorization(method: string, bucket: string, query: URLSearchParams): AuthorizationRequest {
  const resource = bucketArn(bucket)
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('versions')) return { action: 's3:ListBucketVersions', resource }
    if (query.has('uploads')) return { action: 's3:ListBucketMultipartUploads', resource }
    const sub = firstSubresource(query)
    if (sub && method === 'GET') return { action: `s3:GetBucket${capitalize(sub)}`, resource }
    // ListObjects, ListObjectsV2 and HeadBucket are all s3:ListBucket.
    const context: Record<string, string> = {}
    for (const k of ['prefix', 'delimiter', 'max-keys'] as const) {
      const v = query.get(k)
      if (v !== null) context[`s3:${k}`] = v
    }
    return { action: 's3:ListBucket', resource, context }
  }
  if (method === 'PUT') {
    const sub = firstSubresource(query)
    return { action: sub ? `s3:PutBucket${capitalize(sub)}` : 's3:CreateBucket', resource }
  }
  if (method === 'DELETE') {
    const sub = firstSubresource(query)
    return { action: sub ? `s3:DeleteBucket${capitalize(sub)}` : 's3:DeleteBucket', resource }
  }
  return { action: `s3:${method}Bucket`, resource }
}

const LIST_PARAMS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'marker',
  'encoding-type',
  'fetch-owner',
  'x-id',
])

function firstSubresource(query: URLSearchParams): string | undefined {
  for (const k of query.keys()) if (!LIST_PARAMS.has(k)) return k
  return undefined
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** `x-amz-copy-source: /bucket/key%20name?versionId=…` (leading slash optional). */
export function parseCopySource(header: string): { bucket: string; key: string } | undefined {
  const withoutVersion = header.split('?')[0] ?? ''
  const trimmed = withoutVersion.startsWith('/') ? withoutVersion.slice(1) : withoutVersion
  const slash = trimmed.indexOf('/')
  if (slash <= 0) return undefined
  try {
    return { bucket: decodeURIComponent(trimmed.slice(0, slash)), key: decodeURIComponent(trimmed.slice(slash + 1)) }
  } catch {
    return undefined
  }
}
