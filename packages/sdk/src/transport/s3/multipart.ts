/**
 * S3's multipart-upload operations (what `fs` uses for large files and streams of unknown
 * length), with the AWS SDK's command names and fields.
 */
import { header, metadataHeaders, metadataOf, type S3Answer, type S3Command, type S3Output, type S3Request } from './command.js'
import { errorFrom } from './errors.js'
import { childrenNamed, escapeXml, numberOf, parseXml, textOf } from './xml.js'

interface UploadInput {
  Bucket: string
  Key: string
  UploadId: string
}

export interface CreateMultipartUploadCommandInput {
  Bucket: string
  Key: string
  ContentType?: string
  Metadata?: Record<string, string>
}
export interface CreateMultipartUploadCommandOutput extends S3Output {
  UploadId?: string
}

export class CreateMultipartUploadCommand implements S3Command<CreateMultipartUploadCommandInput, CreateMultipartUploadCommandOutput> {
  readonly operation = 'CreateMultipartUpload'
  constructor(readonly input: CreateMultipartUploadCommandInput) {}
  request(): S3Request {
    const { Bucket, Key, ContentType, Metadata } = this.input
    return { method: 'POST', bucket: Bucket, key: Key, query: { uploads: '' }, headers: { 'content-type': ContentType, ...metadataHeaders(Metadata) } }
  }
  parse(answer: S3Answer): CreateMultipartUploadCommandOutput {
    return { $metadata: metadataOf(answer), UploadId: textOf(parseXml(answer.text), 'UploadId') }
  }
}

export interface UploadPartCommandInput extends UploadInput {
  PartNumber: number
  Body: Uint8Array
}
export interface UploadPartCommandOutput extends S3Output {
  ETag?: string
}

export class UploadPartCommand implements S3Command<UploadPartCommandInput, UploadPartCommandOutput> {
  readonly operation = 'UploadPart'
  constructor(readonly input: UploadPartCommandInput) {}
  request(): S3Request {
    const { Bucket, Key, UploadId, PartNumber, Body } = this.input
    return { method: 'PUT', bucket: Bucket, key: Key, query: { partNumber: PartNumber, uploadId: UploadId }, body: Body }
  }
  parse(answer: S3Answer): UploadPartCommandOutput {
    return { $metadata: metadataOf(answer), ETag: header(answer, 'etag') }
  }
}

export interface CompleteMultipartUploadCommandInput extends UploadInput {
  MultipartUpload: { Parts: { PartNumber: number; ETag: string }[] }
}
export interface CompleteMultipartUploadCommandOutput extends S3Output {
  ETag?: string
  VersionId?: string
}

export class CompleteMultipartUploadCommand implements S3Command<CompleteMultipartUploadCommandInput, CompleteMultipartUploadCommandOutput> {
  readonly operation = 'CompleteMultipartUpload'
  constructor(readonly input: CompleteMultipartUploadCommandInput) {}
  request(): S3Request {
    const { Bucket, Key, UploadId, MultipartUpload } = this.input
    const parts = MultipartUpload.Parts.map((p) => `<Part><PartNumber>${p.PartNumber}</PartNumber><ETag>${escapeXml(p.ETag)}</ETag></Part>`).join('')
    return {
      method: 'POST',
      bucket: Bucket,
      key: Key,
      query: { uploadId: UploadId },
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`,
      errorIn200: true,
    }
  }
  parse(answer: S3Answer): CompleteMultipartUploadCommandOutput {
    const root = parseXml(answer.text)
    if (root.name === 'Error') throw errorFrom(answer.status, answer.headers, root)
    return { $metadata: metadataOf(answer), ETag: textOf(root, 'ETag'), VersionId: header(answer, 'x-amz-version-id') }
  }
}

export interface AbortMultipartUploadCommandInput extends UploadInput {}

export class AbortMultipartUploadCommand implements S3Command<AbortMultipartUploadCommandInput, S3Output> {
  readonly operation = 'AbortMultipartUpload'
  constructor(readonly input: AbortMultipartUploadCommandInput) {}
  request(): S3Request {
    const { Bucket, Key, UploadId } = this.input
    return { method: 'DELETE', bucket: Bucket, key: Key, query: { uploadId: UploadId } }
  }
  parse(answer: S3Answer): S3Output {
    return { $metadata: metadataOf(answer) }
  }
}

export interface ListPartsCommandInput extends UploadInput {
  PartNumberMarker?: number
}
export interface ListPartsCommandOutput extends S3Output {
  Parts?: { PartNumber?: number; ETag?: string; Size?: number }[]
  IsTruncated?: boolean
  NextPartNumberMarker?: number
}

export class ListPartsCommand implements S3Command<ListPartsCommandInput, ListPartsCommandOutput> {
  readonly operation = 'ListParts'
  constructor(readonly input: ListPartsCommandInput) {}
  request(): S3Request {
    const { Bucket, Key, UploadId, PartNumberMarker } = this.input
    return { method: 'GET', bucket: Bucket, key: Key, query: { uploadId: UploadId, 'part-number-marker': PartNumberMarker } }
  }
  parse(answer: S3Answer): ListPartsCommandOutput {
    const root = parseXml(answer.text)
    return {
      $metadata: metadataOf(answer),
      Parts: childrenNamed(root, 'Part').map((p) => ({ PartNumber: numberOf(p, 'PartNumber'), ETag: textOf(p, 'ETag'), Size: numberOf(p, 'Size') })),
      IsTruncated: textOf(root, 'IsTruncated') === 'true',
      NextPartNumberMarker: numberOf(root, 'NextPartNumberMarker'),
    }
  }
}
