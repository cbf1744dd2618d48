/**
 * The typed S3 operations: what `parse.ts` makes of a request, what `authorizations.ts`
 * authorizes and what `execute.ts` executes — one object, from the raw request to the engine.
 */
import type { BodyIntegrity, ByteRange, ChecksumAlgorithm, ChecksumType, ObjectHeaders, ReadConditions, WriteConditions } from '../engine/types.js'

export interface RawS3Request {
  method: string
  /** Still percent-encoded, as it arrived. */
  rawPath: string
  /** Without the `?`, still percent-encoded. */
  rawQuery: string
  /** Lower-cased names; values already decoded as UTF-8 where they were. */
  headers: Readonly<Record<string, string | undefined>>
}

/** How the body arrives: as is, or in aws-chunked framing (optionally with chunk signatures and trailing checksums). */
export type BodyFraming = { kind: 'plain' } | { kind: 'aws-chunked'; signed: boolean; trailer: boolean; trailerNames: string[] }

export interface CopySource {
  bucket: string
  key: string
  versionId?: string
  conditions?: ReadConditions
}

/** The one canned ACL a bucket with ACLs off accepts (it grants the bucket owner, and only it, full control). */
type Acl = { acl?: OwnerOnlyAcl }
export type OwnerOnlyAcl = 'bucket-owner-full-control'

export type S3Operation =
  | { op: 'ListBuckets' }
  | { op: 'CreateBucket'; bucket: string }
  | { op: 'HeadBucket'; bucket: string }
  | { op: 'GetBucketLocation'; bucket: string }
  | { op: 'GetBucketVersioning'; bucket: string }
  | { op: 'PutBucketVersioning'; bucket: string }
  | {
      op: 'ListObjects'
      bucket: string
      version: 1 | 2
      prefix?: string
      delimiter?: string
      maxKeys: number
      /** `max-keys` as sent, for the policy's `s3:max-keys`. */
      maxKeysSent?: string
      /** V1's marker. */
      marker?: string
      /** V2's token, as sent (opaque to the client). */
      continuationToken?: string
      startAfter?: string
      encodingType?: 'url'
      fetchOwner: boolean
    }
  | {
      op: 'ListObjectVersions'
      bucket: string
      prefix?: string
      delimiter?: string
      keyMarker?: string
      versionIdMarker?: string
      maxKeys: number
      maxKeysSent?: string
      encodingType?: 'url'
    }
  | {
      op: 'ListMultipartUploads'
      bucket: string
      prefix?: string
      delimiter?: string
      keyMarker?: string
      uploadIdMarker?: string
      maxUploads: number
      encodingType?: 'url'
    }
  | { op: 'DeleteObjects'; bucket: string }
  | {
      op: 'GetObject' | 'HeadObject'
      bucket: string
      key: string
      versionId?: string
      range?: ByteRange
      partNumber?: number
      conditions: ReadConditions
      /** `response-content-type` & co.: headers to answer with instead of the stored ones. */
      responseOverrides: Record<string, string>
      checksumMode: boolean
    }
  | ({
      op: 'PutObject'
      bucket: string
      key: string
      headers: ObjectHeaders
      integrity: BodyIntegrity
      framing: BodyFraming
      conditions: WriteConditions
    } & Acl)
  | ({
      op: 'CopyObject'
      bucket: string
      key: string
      source: CopySource
      metadataDirective: 'COPY' | 'REPLACE'
      headers: ObjectHeaders
      checksumAlgorithm?: ChecksumAlgorithm
      conditions: WriteConditions
    } & Acl)
  | { op: 'DeleteObject'; bucket: string; key: string; versionId?: string; conditions: Pick<WriteConditions, 'ifMatch'> }
  | ({
      op: 'CreateMultipartUpload'
      bucket: string
      key: string
      headers: ObjectHeaders
      checksum?: { algorithm: ChecksumAlgorithm; type?: ChecksumType }
    } & Acl)
  | { op: 'UploadPart'; bucket: string; key: string; uploadId: string; partNumber: number; integrity: BodyIntegrity; framing: BodyFraming }
  | {
      op: 'UploadPartCopy'
      bucket: string
      key: string
      uploadId: string
      partNumber: number
      source: CopySource & { range?: { start: number; end: number } }
    }
  | {
      op: 'CompleteMultipartUpload'
      bucket: string
      key: string
      uploadId: string
      conditions: WriteConditions
      checksum?: { algorithm: ChecksumAlgorithm; type?: ChecksumType; value?: string }
    }
  | { op: 'AbortMultipartUpload'; bucket: string; key: string; uploadId: string }
  | { op: 'ListParts'; bucket: string; key: string; uploadId: string; partNumberMarker?: number; maxParts: number }
  /** Tags are not kept locally: every object has an empty tag set (awscli reads it before a multipart copy). */
  | { op: 'GetObjectTagging'; bucket: string; key: string; versionId?: string }
  | { op: 'GetObjectAttributes'; bucket: string; key: string; versionId?: string; attributes: string[]; maxParts: number; partNumberMarker?: number }
  /** Recognised but not served locally: authorized under its own action, then NotImplemented. */
  | { op: 'Unsupported'; action: string; bucket?: string; key?: string }

export type ObjectOperation = Extract<S3Operation, { key: string }>
