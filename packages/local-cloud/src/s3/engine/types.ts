/**
 * The contract of the local S3 engine: what the gateway's S3 front (`../http/`) calls, and what
 * the engine (`./engine.ts`) implements. Inputs are already parsed and authorized: the engine
 * never sees raw paths, percent-escapes or signatures, so the key it touches is exactly the key
 * the policy evaluated. Keys are plain JavaScript strings (any Unicode, up to 1,024 UTF-8
 * bytes); bucket names are S3's DNS-style names.
 *
 * S3 API reference: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import type { Readable } from 'node:stream'

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256'
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE'

/** Content headers and user metadata stored with an object and given back on GET/HEAD. */
export interface ObjectHeaders {
  contentType?: string
  contentEncoding?: string
  contentDisposition?: string
  contentLanguage?: string
  cacheControl?: string
  /** The `Expires` header, as sent. */
  expires?: string
  /** `x-amz-meta-*`: names lower-cased without the prefix, values as sent (UTF-8 allowed). */
  metadata: Record<string, string>
}

/** What one stored version is. A delete marker has no body, size 0 and no ETag. */
export interface ObjectVersion {
  bucket: string
  key: string
  /** `'null'` in a bucket that never had versioning enabled. */
  versionId: string
  isDeleteMarker: boolean
  isLatest: boolean
  /** Quoted, as S3 sends it: `"<md5 hex>"`, or `"<md5 of the parts' md5s>-<parts>"` after a multipart upload. */
  etag: string
  size: number
  lastModified: Date
  headers: ObjectHeaders
  /** Present when the object was written with a checksum (or the engine computed its default, CRC64NVME). */
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType; value: string }
  /** For objects completed from a multipart upload: each part's size, in order (GET ?partNumber=, GetObjectAttributes). */
  parts?: { size: number; checksum?: string }[]
}

/** Conditions a read is made under (GET, HEAD, and a copy's source). */
export interface ReadConditions {
  ifMatch?: string
  ifNoneMatch?: string
  ifModifiedSince?: Date
  ifUnmodifiedSince?: Date
}

/** Conditions a write is made under, checked atomically at commit (PUT, complete, copy, DELETE). */
export interface WriteConditions {
  /** `If-Match: <etag>`: the current object must have this ETag (else PreconditionFailed; NoSuchKey if there is none). */
  ifMatch?: string
  /** `If-None-Match: *`: there must be no current object. */
  ifNoneMatch?: '*'
}

/** What the client declared about a body, checked while it streams in; a mismatch stores nothing. */
export interface BodyIntegrity {
  /** Hex SHA-256 from `x-amz-content-sha256` (when not UNSIGNED-PAYLOAD / STREAMING-*). */
  sha256Hex?: string
  /** Base64 `Content-MD5`. */
  contentMd5?: string
  /** An `x-amz-checksum-<alg>` value to verify, or only the algorithm to compute and store. */
  checksum?: { algorithm: ChecksumAlgorithm; value?: string }
  /** `Content-Length` (or `x-amz-decoded-content-length`): fewer or more bytes is IncompleteBody. */
  expectedLength?: number
}

/** An inclusive byte range already resolved from a `Range` header against nothing yet. */
export type ByteRange = { start: number; end?: number } | { suffix: number }

export interface GetObjectInput {
  bucket: string
  key: string
  versionId?: string
  range?: ByteRange
  partNumber?: number
  conditions?: ReadConditions
}

export interface GetObjectResult {
  version: ObjectVersion
  /** Absent for HEAD. The bytes of one immutable body file: a concurrent overwrite never tears it. */
  body?: Readable
  /** The inclusive range served, when a range or part was asked for (status 206). */
  range?: { start: number; end: number; total: number }
  /** Set when `partNumber` was asked for: the object's part count. */
  partsCount?: number
}

export interface PutObjectInput {
  bucket: string
  key: string
  body: Readable
  headers: ObjectHeaders
  integrity: BodyIntegrity
  conditions?: WriteConditions
}

export interface WriteResult {
  etag: string
  versionId: string
  lastModified: Date
  checksum?: ObjectVersion['checksum']
}

export interface DeleteObjectInput {
  bucket: string
  key: string
  /** Deletes that version for good (never granted to users); without it, a delete marker is added. */
  versionId?: string
  conditions?: Pick<WriteConditions, 'ifMatch'>
}

export interface DeleteResult {
  /** Whether a delete marker was created (versioned bucket, no versionId) or removed. */
  deleteMarker: boolean
  versionId?: string
}

export interface CopyObjectInput {
  source: { bucket: string; key: string; versionId?: string; conditions?: ReadConditions }
  bucket: string
  key: string
  /** `COPY` keeps the source's headers and metadata; `REPLACE` stores `headers`. */
  metadataDirective: 'COPY' | 'REPLACE'
  headers: ObjectHeaders
  checksumAlgorithm?: ChecksumAlgorithm
  conditions?: WriteConditions
}

export interface CopyResult extends WriteResult {
  sourceVersionId: string
}

export interface ListObjectsInput {
  bucket: string
  prefix?: string
  delimiter?: string
  /** Exclusive: keys (and common prefixes) after this one. ListObjectsV2's start-after / continuation, V1's marker. */
  after?: string
  /** 0–1,000; common prefixes count towards it, as on S3. */
  maxKeys: number
}

export interface ListObjectsResult {
  /** Current, non-deleted objects, in UTF-8 binary order. */
  objects: ObjectVersion[]
  commonPrefixes: string[]
  isTruncated: boolean
  /** The last key or common prefix returned, for the next page's `after`. */
  lastReturned?: string
}

export interface ListVersionsInput {
  bucket: string
  prefix?: string
  delimiter?: string
  keyMarker?: string
  versionIdMarker?: string
  maxKeys: number
}

export interface ListVersionsResult {
  /** Newest first within a key; delete markers included (`isDeleteMarker`). */
  versions: ObjectVersion[]
  commonPrefixes: string[]
  isTruncated: boolean
  nextKeyMarker?: string
  nextVersionIdMarker?: string
}

export interface MultipartUpload {
  bucket: string
  key: string
  uploadId: string
  initiated: Date
  headers: ObjectHeaders
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType }
}

export interface UploadedPart {
  partNumber: number
  etag: string
  size: number
  lastModified: Date
  checksum?: string
}

export interface CreateMultipartUploadInput {
  bucket: string
  key: string
  headers: ObjectHeaders
  checksum?: { algorithm: ChecksumAlgorithm; type?: ChecksumType }
}

export interface UploadPartInput {
  bucket: string
  key: string
  uploadId: string
  /** 1–10,000. */
  partNumber: number
  body: Readable
  integrity: BodyIntegrity
}

export interface UploadPartCopyInput {
  bucket: string
  key: string
  uploadId: string
  partNumber: number
  source: { bucket: string; key: string; versionId?: string; conditions?: ReadConditions; range?: { start: number; end: number } }
}

export interface CompleteMultipartUploadInput {
  bucket: string
  key: string
  uploadId: string
  /** As the client listed them: ascending part numbers, each with the ETag it got back. */
  parts: { partNumber: number; etag: string; checksum?: string }[]
  /** A full-object or composite checksum the client expects for the result. */
  checksum?: { algorithm: ChecksumAlgorithm; type?: ChecksumType; value?: string }
  conditions?: WriteConditions
}

export interface ListPartsInput {
  bucket: string
  key: string
  uploadId: string
  partNumberMarker?: number
  maxParts: number
}

export interface ListPartsResult {
  upload: MultipartUpload
  parts: UploadedPart[]
  isTruncated: boolean
  nextPartNumberMarker?: number
}

export interface ListUploadsInput {
  bucket: string
  prefix?: string
  delimiter?: string
  keyMarker?: string
  uploadIdMarker?: string
  maxUploads: number
}

export interface ListUploadsResult {
  uploads: MultipartUpload[]
  commonPrefixes: string[]
  isTruncated: boolean
  nextKeyMarker?: string
  nextUploadIdMarker?: string
}

/** How long history is kept, as an S3 lifecycle rule would say it. */
export interface LifecycleRules {
  /** NoncurrentVersionExpiration.NoncurrentDays: a version this many days noncurrent may expire… */
  noncurrentDays: number
  /** …except the newest this-many noncurrent versions of each key (NewerNoncurrentVersions). */
  newerNoncurrentVersions: number
  /** AbortIncompleteMultipartUpload.DaysAfterInitiation. */
  abortIncompleteMultipartDays: number
}

/**
 * One committed change, shaped like a record of an S3 event notification
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html),
 * so what consumes it locally is what a Lambda would run on real S3 events.
 */
export interface S3EventRecord {
  eventVersion: '2.1'
  eventSource: 'aws:s3'
  awsRegion: string
  eventTime: string
  eventName:
    | 'ObjectCreated:Put'
    | 'ObjectCreated:Copy'
    | 'ObjectCreated:CompleteMultipartUpload'
    | 'ObjectRemoved:Delete'
    | 'ObjectRemoved:DeleteMarkerCreated'
    | 'LifecycleExpiration:Delete'
  s3: {
    s3SchemaVersion: '1.0'
    bucket: { name: string; arn: string }
    /** `key` is URL-encoded as S3 sends it (spaces as `+`). */
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string }
  }
}

/**
 * An S3 error with AWS's code; the HTTP front turns it into AWS's XML (status from `status`).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** Extra elements of the XML error body, e.g. `{ Key, VersionId }` or `{ ArgumentName }`. */
    readonly details: Record<string, string> = {},
    /** Response headers S3 sends with this error, e.g. `x-amz-delete-marker: true` on a 404 for a deleted key. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'S3Error'
  }
}

export interface S3Engine {
  createBucket(bucket: string): Promise<void>
  /** Throws NoSuchBucket. */
  headBucket(bucket: string): Promise<void>
  listBuckets(): Promise<{ name: string; created: Date }[]>
  setVersioning(bucket: string, status: 'Enabled' | 'Suspended'): Promise<void>
  getVersioning(bucket: string): Promise<'Enabled' | 'Suspended' | undefined>

  putObject(input: PutObjectInput): Promise<WriteResult>
  /** With conditions that fail: PreconditionFailed (412) or NotModified (304, as `S3Error` code `NotModified`). */
  getObject(input: GetObjectInput): Promise<GetObjectResult>
  headObject(input: GetObjectInput): Promise<GetObjectResult>
  deleteObject(input: DeleteObjectInput): Promise<DeleteResult>
  /** Up to 1,000 entries; each succeeds or fails on its own. */
  deleteObjects(
    bucket: string,
    entries: { key: string; versionId?: string; ifMatch?: string }[],
  ): Promise<({ key: string; ok: true; result: DeleteResult } | { key: string; versionId?: string; ok: false; error: S3Error })[]>
  copyObject(input: CopyObjectInput): Promise<CopyResult>
  listObjects(input: ListObjectsInput): Promise<ListObjectsResult>
  listObjectVersions(input: ListVersionsInput): Promise<ListVersionsResult>

  createMultipartUpload(input: CreateMultipartUploadInput): Promise<MultipartUpload>
  uploadPart(input: UploadPartInput): Promise<UploadedPart>
  uploadPartCopy(input: UploadPartCopyInput): Promise<UploadedPart & { sourceVersionId: string }>
  completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<WriteResult>
  /** Refuses new parts at once and waits for parts in flight before removing the upload. */
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>
  listParts(input: ListPartsInput): Promise<ListPartsResult>
  listMultipartUploads(input: ListUploadsInput): Promise<ListUploadsResult>

  /** Applies the lifecycle rules as of `now` (the engine also runs this on a timer). */
  runLifecycle(now?: Date): Promise<{ expiredVersions: number; abortedUploads: number }>
  /** Every committed change, after it is durable. Returns the unsubscribe function. */
  subscribe(listener: (record: S3EventRecord) => void): () => void
  close(): Promise<void>
}

export interface S3EngineOptions {
  /** Where metadata (LevelDB) and bodies (files named by random ids) live. */
  dir: string
  region: string
  lifecycle?: LifecycleRules
  /** The engine's clock, for lifecycle and timestamps; tests move it. Default `() => new Date()`. */
  now?: () => Date
}
