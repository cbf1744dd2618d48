/**
 * S3's object operations the SDK sends, with the AWS SDK's command names and the input and
 * output fields its call sites use. Links to each operation's reference are at the call sites.
 */
import {
  dateHeader,
  header,
  metadataFrom,
  metadataHeaders,
  metadataOf,
  numberHeader,
  type S3Answer,
  type S3Command,
  type S3Output,
  type S3Request,
  type S3Sender,
  sha256Base64,
} from './command.js'
import { errorFrom } from './errors.js'
import { booleanOf, childrenNamed, dateOf, escapeXml, numberOf, parseXml, textOf } from './xml.js'

interface ObjectInput {
  Bucket: string
  Key: string
}

export interface PutObjectCommandInput extends ObjectInput {
  Body?: Uint8Array | string
  ContentType?: string
  CacheControl?: string
  Metadata?: Record<string, string>
  IfMatch?: string
  IfNoneMatch?: string
}
export interface PutObjectCommandOutput extends S3Output {
  ETag?: string
  VersionId?: string
}

export class PutObjectCommand implements S3Command<PutObjectCommandInput, PutObjectCommandOutput> {
  readonly operation = 'PutObject'
  /** The body's SHA-256, sent with conditional writes: S3 stores it, so a retry can recognise its own write. */
  private checksum?: string
  constructor(readonly input: PutObjectCommandInput) {}
  async request(): Promise<S3Request> {
    const { Bucket, Key, Body, ContentType, CacheControl, Metadata, IfMatch, IfNoneMatch } = this.input
    const body = typeof Body === 'string' ? new TextEncoder().encode(Body) : (Body ?? new Uint8Array(0))
    if (IfMatch !== undefined || IfNoneMatch !== undefined) this.checksum ??= await sha256Base64(body)
    return {
      method: 'PUT',
      bucket: Bucket,
      key: Key,
      body,
      headers: {
        'content-type': ContentType,
        'cache-control': CacheControl,
        'if-match': IfMatch,
        'if-none-match': IfNoneMatch,
        'x-amz-checksum-sha256': this.checksum,
        ...metadataHeaders(Metadata),
      },
    }
  }
  parse(answer: S3Answer): PutObjectCommandOutput {
    return { $metadata: metadataOf(answer), ETag: header(answer, 'etag'), VersionId: header(answer, 'x-amz-version-id') }
  }
  /** Ours when the object there has this body's checksum (bytes another writer sent alike would be the same file). */
  async confirmOwnWrite(s3: S3Sender, signal: AbortSignal): Promise<PutObjectCommandOutput | undefined> {
    if (!this.checksum) return undefined
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html (x-amz-checksum-mode)
    const now = await s3
      .send(new HeadObjectCommand({ Bucket: this.input.Bucket, Key: this.input.Key, ChecksumMode: 'ENABLED' }), { abortSignal: signal })
      .catch(() => undefined)
    if (!now?.ChecksumSHA256 || now.ChecksumSHA256 !== this.checksum) return undefined
    return { $metadata: now.$metadata, ETag: now.ETag, VersionId: now.VersionId }
  }
}

export interface HeadObjectCommandInput extends ObjectInput {
  /** `ENABLED`: the answer carries the object's stored checksums. */
  ChecksumMode?: 'ENABLED'
}
export interface HeadObjectCommandOutput extends S3Output {
  ChecksumSHA256?: string
  ContentLength?: number
  ContentType?: string
  ETag?: string
  LastModified?: Date
  Metadata?: Record<string, string>
  VersionId?: string
}

function objectHeaders(answer: S3Answer): Omit<HeadObjectCommandOutput, '$metadata'> {
  return {
    ContentLength: numberHeader(answer, 'content-length'),
    ContentType: header(answer, 'content-type'),
    ETag: header(answer, 'etag'),
    LastModified: dateHeader(answer, 'last-modified'),
    Metadata: metadataFrom(answer.headers),
    VersionId: header(answer, 'x-amz-version-id'),
  }
}

export class HeadObjectCommand implements S3Command<HeadObjectCommandInput, HeadObjectCommandOutput> {
  readonly operation = 'HeadObject'
  constructor(readonly input: HeadObjectCommandInput) {}
  request(): S3Request {
    return { method: 'HEAD', bucket: this.input.Bucket, key: this.input.Key, headers: { 'x-amz-checksum-mode': this.input.ChecksumMode } }
  }
  parse(answer: S3Answer): HeadObjectCommandOutput {
    return { $metadata: metadataOf(answer), ...objectHeaders(answer), ChecksumSHA256: header(answer, 'x-amz-checksum-sha256') }
  }
}

export interface GetObjectCommandInput extends ObjectInput {
  /** `bytes=start-end`, as HTTP. */
  Range?: string
  IfMatch?: string
  IfNoneMatch?: string
}

/** The body of a GetObject answer, with the AWS SDK's readers. */
export interface ObjectBody {
  transformToWebStream(): ReadableStream<Uint8Array>
  transformToString(encoding?: string): Promise<string>
  transformToByteArray(): Promise<Uint8Array>
}

export interface GetObjectCommandOutput extends HeadObjectCommandOutput {
  Body?: ObjectBody
  ContentRange?: string
}

export class GetObjectCommand implements S3Command<GetObjectCommandInput, GetObjectCommandOutput> {
  readonly operation = 'GetObject'
  constructor(readonly input: GetObjectCommandInput) {}
  request(): S3Request {
    const { Bucket, Key, Range, IfMatch, IfNoneMatch } = this.input
    return { method: 'GET', bucket: Bucket, key: Key, headers: { range: Range, 'if-match': IfMatch, 'if-none-match': IfNoneMatch }, streaming: true }
  }
  parse(answer: S3Answer): GetObjectCommandOutput {
    const stream = answer.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
    const whole = () => new Response(stream).arrayBuffer()
    const Body: ObjectBody = {
      transformToWebStream: () => stream,
      transformToString: async (encoding = 'utf-8') => new TextDecoder(encoding).decode(await whole()),
      transformToByteArray: async () => new Uint8Array(await whole()),
    }
    return { $metadata: metadataOf(answer), ...objectHeaders(answer), ContentRange: header(answer, 'content-range'), Body }
  }
}

export interface DeleteObjectCommandInput extends ObjectInput {
  IfMatch?: string
}
export interface DeleteObjectCommandOutput extends S3Output {
  VersionId?: string
  DeleteMarker?: boolean
}

export class DeleteObjectCommand implements S3Command<DeleteObjectCommandInput, DeleteObjectCommandOutput> {
  readonly operation = 'DeleteObject'
  constructor(readonly input: DeleteObjectCommandInput) {}
  request(): S3Request {
    return { method: 'DELETE', bucket: this.input.Bucket, key: this.input.Key, headers: { 'if-match': this.input.IfMatch } }
  }
  parse(answer: S3Answer): DeleteObjectCommandOutput {
    return { $metadata: metadataOf(answer), VersionId: header(answer, 'x-amz-version-id'), DeleteMarker: header(answer, 'x-amz-delete-marker') === 'true' }
  }
}

export interface DeleteObjectsCommandInput {
  Bucket: string
  Delete: { Objects: { Key: string }[]; Quiet?: boolean }
}
export interface DeleteObjectsCommandOutput extends S3Output {
  Deleted?: { Key?: string; VersionId?: string; DeleteMarker?: boolean; DeleteMarkerVersionId?: string }[]
  Errors?: { Key?: string; Code?: string; Message?: string }[]
}

export class DeleteObjectsCommand implements S3Command<DeleteObjectsCommandInput, DeleteObjectsCommandOutput> {
  readonly operation = 'DeleteObjects'
  constructor(readonly input: DeleteObjectsCommandInput) {}
  async request(): Promise<S3Request> {
    const { Objects, Quiet } = this.input.Delete
    const objects = Objects.map((o) => `<Object><Key>${escapeXml(o.Key)}</Key></Object>`).join('')
    const body = new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?><Delete>${Quiet ? '<Quiet>true</Quiet>' : ''}${objects}</Delete>`)
    // S3 requires an integrity checksum on batch deletes; WebCrypto has SHA-256 (not MD5).
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
    return {
      method: 'POST',
      bucket: this.input.Bucket,
      query: { delete: '' },
      body,
      headers: { 'content-type': 'application/xml', 'x-amz-sdk-checksum-algorithm': 'SHA256', 'x-amz-checksum-sha256': btoa(String.fromCharCode(...digest)) },
    }
  }
  parse(answer: S3Answer): DeleteObjectsCommandOutput {
    const root = parseXml(answer.text)
    return {
      $metadata: metadataOf(answer),
      Deleted: childrenNamed(root, 'Deleted').map((d) => ({
        Key: textOf(d, 'Key'),
        VersionId: textOf(d, 'VersionId'),
        DeleteMarker: booleanOf(d, 'DeleteMarker'),
        DeleteMarkerVersionId: textOf(d, 'DeleteMarkerVersionId'),
      })),
      Errors: childrenNamed(root, 'Error').map((e) => ({ Key: textOf(e, 'Key'), Code: textOf(e, 'Code'), Message: textOf(e, 'Message') })),
    }
  }
}

export interface CopyObjectCommandInput extends ObjectInput {
  /** `bucket/key`, the key URL-encoded. */
  CopySource: string
  CopySourceIfMatch?: string
  IfNoneMatch?: string
}
export interface CopyObjectCommandOutput extends S3Output {
  CopyObjectResult?: { ETag?: string; LastModified?: Date }
  VersionId?: string
}

export class CopyObjectCommand implements S3Command<CopyObjectCommandInput, CopyObjectCommandOutput> {
  readonly operation = 'CopyObject'
  constructor(readonly input: CopyObjectCommandInput) {}
  request(): S3Request {
    const { Bucket, Key, CopySource, CopySourceIfMatch, IfNoneMatch } = this.input
    return {
      method: 'PUT',
      bucket: Bucket,
      key: Key,
      headers: { 'x-amz-copy-source': CopySource, 'x-amz-copy-source-if-match': CopySourceIfMatch, 'if-none-match': IfNoneMatch },
      errorIn200: true,
    }
  }
  parse(answer: S3Answer): CopyObjectCommandOutput {
    const root = parseXml(answer.text)
    if (root.name === 'Error') throw errorFrom(answer.status, answer.headers, root)
    return {
      $metadata: metadataOf(answer),
      CopyObjectResult: { ETag: textOf(root, 'ETag'), LastModified: dateOf(root, 'LastModified') },
      VersionId: header(answer, 'x-amz-version-id'),
    }
  }
  /**
   * Ours when the destination is the source version we copied (the same ETag; S3 gives a copy
   * of a one-part object its source's ETag). Only a copy pinned by CopySourceIfMatch can tell.
   */
  async confirmOwnWrite(s3: S3Sender, signal: AbortSignal): Promise<CopyObjectCommandOutput | undefined> {
    const { Bucket, Key, CopySourceIfMatch } = this.input
    if (!CopySourceIfMatch) return undefined
    const now = await s3.send(new HeadObjectCommand({ Bucket, Key }), { abortSignal: signal }).catch(() => undefined)
    if (!now?.ETag || now.ETag !== CopySourceIfMatch) return undefined
    return { $metadata: now.$metadata, CopyObjectResult: { ETag: now.ETag, LastModified: now.LastModified }, VersionId: now.VersionId }
  }
}

export interface ListObjectsV2CommandInput {
  Bucket: string
  Prefix?: string
  Delimiter?: string
  MaxKeys?: number
  ContinuationToken?: string
  /** `url`: keys come back URL-encoded (see fs/xml-keys.ts for why). */
  EncodingType?: 'url'
}
export interface ListObjectsV2CommandOutput extends S3Output {
  Contents?: { Key?: string; Size?: number; ETag?: string; LastModified?: Date }[]
  CommonPrefixes?: { Prefix?: string }[]
  IsTruncated?: boolean
  NextContinuationToken?: string
  KeyCount?: number
  EncodingType?: string
}

export class ListObjectsV2Command implements S3Command<ListObjectsV2CommandInput, ListObjectsV2CommandOutput> {
  readonly operation = 'ListObjectsV2'
  constructor(readonly input: ListObjectsV2CommandInput) {}
  request(): S3Request {
    const { Bucket, Prefix, Delimiter, MaxKeys, ContinuationToken, EncodingType } = this.input
    return {
      method: 'GET',
      bucket: Bucket,
      query: {
        'list-type': '2',
        prefix: Prefix,
        delimiter: Delimiter,
        'max-keys': MaxKeys,
        'continuation-token': ContinuationToken,
        'encoding-type': EncodingType,
      },
    }
  }
  parse(answer: S3Answer): ListObjectsV2CommandOutput {
    const root = parseXml(answer.text)
    return {
      $metadata: metadataOf(answer),
      Contents: childrenNamed(root, 'Contents').map((c) => ({
        Key: textOf(c, 'Key'),
        Size: numberOf(c, 'Size'),
        ETag: textOf(c, 'ETag'),
        LastModified: dateOf(c, 'LastModified'),
      })),
      CommonPrefixes: childrenNamed(root, 'CommonPrefixes').map((p) => ({ Prefix: textOf(p, 'Prefix') })),
      IsTruncated: booleanOf(root, 'IsTruncated'),
      NextContinuationToken: textOf(root, 'NextContinuationToken'),
      KeyCount: numberOf(root, 'KeyCount'),
      EncodingType: textOf(root, 'EncodingType'),
    }
  }
}
