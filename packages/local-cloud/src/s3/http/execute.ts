/**
 * Executes a parsed, authorized S3 operation on the in-process engine and writes S3's answer.
 * It takes the very object the policy evaluated; the only request data it reads besides is the
 * body, through `RequestBody`.
 */
import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { s3RequestId, sendS3Error } from '../../aws-errors.js'
import type { AuthorizationRequest } from '../../iam/evaluate.js'
import type { GetObjectResult, ObjectVersion, S3Engine, WriteResult } from '../engine/types.js'
import { S3Error } from '../engine/types.js'
import { deleteEntryAuthorization } from './authorizations.js'
import { unsafeKeyReason } from './key-rules.js'
import type { S3Operation } from './parse.js'
import {
  completeUploadXml,
  copyResultXml,
  type DeleteOutcome,
  deleteResultXml,
  emptyTaggingXml,
  initiateUploadXml,
  listBucketsXml,
  listObjectsXml,
  listPartsXml,
  listUploadsXml,
  listVersionsXml,
  locationXml,
  objectAttributesXml,
  parseCompleteUpload,
  parseDeleteObjects,
  parseVersioning,
  versioningXml,
} from './xml.js'

export interface ExecuteContext {
  engine: S3Engine
  region: string
  /** Whether one more authorization (a DeleteObjects entry) is allowed for this caller. */
  authorize: (request: AuthorizationRequest) => boolean
}

/** The request body, opened only once the operation is authorized. */
export interface RequestBody {
  /** The decoded body as a stream (aws-chunked framing already removed and verified). */
  stream(): Readable
  /** A small XML body, read whole (at most `limit` bytes) and checked against its declared hash. */
  text(limit: number): Promise<string>
}

export async function executeS3(ctx: ExecuteContext, op: S3Operation, body: RequestBody, res: ServerResponse): Promise<void> {
  const { engine } = ctx
  s3RequestId(res)
  switch (op.op) {
    case 'ListBuckets':
      return xml(res, listBucketsXml(await engine.listBuckets()))
    case 'CreateBucket':
      await engine.createBucket(op.bucket)
      res.writeHead(200, { location: `/${op.bucket}` })
      res.end()
      return
    case 'HeadBucket':
      await engine.headBucket(op.bucket)
      res.writeHead(200, { 'x-amz-bucket-region': ctx.region })
      res.end()
      return
    case 'GetBucketLocation':
      await engine.headBucket(op.bucket)
      return xml(res, locationXml(ctx.region))
    case 'GetBucketVersioning':
      return xml(res, versioningXml(await engine.getVersioning(op.bucket)))
    case 'PutBucketVersioning':
      await engine.setVersioning(op.bucket, parseVersioning(await body.text(64 * 1024)))
      res.writeHead(200)
      res.end()
      return
    case 'ListObjects': {
      let after = op.version === 1 ? op.marker : op.startAfter
      if (op.continuationToken !== undefined) after = decodeToken(op.continuationToken)
      const result = await engine.listObjects({
        bucket: op.bucket,
        prefix: op.prefix || undefined,
        delimiter: op.delimiter || undefined,
        after,
        maxKeys: op.maxKeys,
      })
      const next = result.isTruncated ? result.lastReturned : undefined
      return xml(
        res,
        listObjectsXml({
          version: op.version,
          bucket: op.bucket,
          prefix: op.prefix,
          delimiter: op.delimiter || undefined,
          maxKeys: op.maxKeys,
          encode: op.encodingType === 'url',
          marker: op.marker,
          // V1 names the next marker only with a delimiter; without one the client uses the last key.
          nextMarker: op.version === 1 && op.delimiter ? next : undefined,
          continuationToken: op.continuationToken,
          nextContinuationToken: op.version === 2 && next !== undefined ? Buffer.from(next, 'utf8').toString('base64') : undefined,
          startAfter: op.startAfter,
          fetchOwner: op.fetchOwner,
          result,
        }),
      )
    }
    case 'ListObjectVersions': {
      const result = await engine.listObjectVersions({
        bucket: op.bucket,
        prefix: op.prefix || undefined,
        delimiter: op.delimiter || undefined,
        keyMarker: op.keyMarker,
        versionIdMarker: op.versionIdMarker,
        maxKeys: op.maxKeys,
      })
      return xml(res, listVersionsXml({ ...op, delimiter: op.delimiter || undefined, encode: op.encodingType === 'url' }, result))
    }
    case 'ListMultipartUploads': {
      const result = await engine.listMultipartUploads({
        bucket: op.bucket,
        prefix: op.prefix || undefined,
        delimiter: op.delimiter || undefined,
        keyMarker: op.keyMarker,
        uploadIdMarker: op.uploadIdMarker,
        maxUploads: op.maxUploads,
      })
      return xml(res, listUploadsXml({ ...op, delimiter: op.delimiter || undefined, encode: op.encodingType === 'url' }, result))
    }
    case 'DeleteObjects':
      return deleteObjects(ctx, op.bucket, await body.text(2 * 1024 * 1024), res, false)
    case 'GetObject':
    case 'HeadObject': {
      const input = { bucket: op.bucket, key: op.key, versionId: op.versionId, range: op.range, partNumber: op.partNumber, conditions: op.conditions }
      let result: GetObjectResult
      try {
        result = op.op === 'GetObject' ? await engine.getObject(input) : await engine.headObject(input)
      } catch (e) {
        if (e instanceof S3Error && e.code === 'NotModified') {
          // S3's 304 names the version the client already has, as HTTP caches expect.
          const { version } = await engine.headObject({ bucket: op.bucket, key: op.key, versionId: op.versionId })
          res.writeHead(304, { ...e.headers, etag: version.etag, 'last-modified': version.lastModified.toUTCString() })
          res.end()
          return
        }
        throw e
      }
      const headers = objectResponseHeaders(result.version, op.checksumMode && !result.range)
      if (result.range) {
        headers['content-range'] = `bytes ${result.range.start}-${result.range.end}/${result.range.total}`
        headers['content-length'] = String(result.range.end - result.range.start + 1)
      }
      if (result.partsCount !== undefined) headers['x-amz-mp-parts-count'] = String(result.partsCount)
      Object.assign(headers, op.responseOverrides)
      res.writeHead(result.range ? 206 : 200, headers)
      if (!result.body) {
        res.end()
        return
      }
      await pipeline(result.body, res).catch((e: NodeJS.ErrnoException) => {
        // The client hung up mid-download: nothing to answer.
        if (e.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e
      })
      return
    }
    case 'GetObjectTagging': {
      const { version } = await engine.headObject({ bucket: op.bucket, key: op.key, versionId: op.versionId })
      return xml(res, emptyTaggingXml(), version.versionId !== 'null' ? { 'x-amz-version-id': version.versionId } : {})
    }
    case 'GetObjectAttributes': {
      const { version } = await engine.headObject({ bucket: op.bucket, key: op.key, versionId: op.versionId })
      res.setHeader('last-modified', version.lastModified.toUTCString())
      if (version.versionId !== 'null') res.setHeader('x-amz-version-id', version.versionId)
      return xml(res, objectAttributesXml({ version, attributes: op.attributes, maxParts: op.maxParts, partNumberMarker: op.partNumberMarker }))
    }
    case 'PutObject': {
      const result = await engine.putObject({
        bucket: op.bucket,
        key: op.key,
        body: body.stream(),
        headers: op.headers,
        integrity: op.integrity,
        conditions: op.conditions,
      })
      res.writeHead(200, writeHeaders(result))
      res.end()
      return
    }
    case 'CopyObject': {
      const result = await engine.copyObject({
        source: op.source,
        bucket: op.bucket,
        key: op.key,
        metadataDirective: op.metadataDirective,
        headers: op.headers,
        checksumAlgorithm: op.checksumAlgorithm,
        conditions: op.conditions,
      })
      const headers = writeHeaders(result, false)
      if (result.sourceVersionId !== 'null') headers['x-amz-copy-source-version-id'] = result.sourceVersionId
      return xml(res, copyResultXml('CopyObjectResult', result.etag, result.lastModified, result.checksum), headers)
    }
    case 'DeleteObject': {
      const result = await engine.deleteObject({ bucket: op.bucket, key: op.key, versionId: op.versionId, conditions: op.conditions })
      const headers: Record<string, string> = {}
      if (result.deleteMarker) headers['x-amz-delete-marker'] = 'true'
      if (result.versionId !== undefined && result.versionId !== 'null') headers['x-amz-version-id'] = result.versionId
      res.writeHead(204, headers)
      res.end()
      return
    }
    case 'CreateMultipartUpload': {
      const upload = await engine.createMultipartUpload({ bucket: op.bucket, key: op.key, headers: op.headers, checksum: op.checksum })
      const headers: Record<string, string> = {}
      if (upload.checksum) {
        headers['x-amz-checksum-algorithm'] = upload.checksum.algorithm
        headers['x-amz-checksum-type'] = upload.checksum.type
      }
      return xml(res, initiateUploadXml(op.bucket, op.key, upload.uploadId), headers)
    }
    case 'UploadPart': {
      const part = await engine.uploadPart({
        bucket: op.bucket,
        key: op.key,
        uploadId: op.uploadId,
        partNumber: op.partNumber,
        body: body.stream(),
        integrity: op.integrity,
      })
      const headers: Record<string, string> = { etag: part.etag }
      if (part.checksum && op.integrity.checksum) headers[`x-amz-checksum-${op.integrity.checksum.algorithm.toLowerCase()}`] = part.checksum
      res.writeHead(200, headers)
      res.end()
      return
    }
    case 'UploadPartCopy': {
      const part = await engine.uploadPartCopy({ bucket: op.bucket, key: op.key, uploadId: op.uploadId, partNumber: op.partNumber, source: op.source })
      const headers: Record<string, string> = {}
      if (part.sourceVersionId !== 'null') headers['x-amz-copy-source-version-id'] = part.sourceVersionId
      return xml(res, copyResultXml('CopyPartResult', part.etag, part.lastModified), headers)
    }
    case 'CompleteMultipartUpload': {
      const parts = parseCompleteUpload(await body.text(4 * 1024 * 1024))
      const result = await engine.completeMultipartUpload({
        bucket: op.bucket,
        key: op.key,
        uploadId: op.uploadId,
        parts,
        checksum: op.checksum,
        conditions: op.conditions,
      })
      const headers = writeHeaders(result, false)
      const location = `/${op.bucket}/${op.key.split('/').map(encodeURIComponent).join('/')}`
      return xml(
        res,
        completeUploadXml(location, op.bucket, op.key, result.etag, result.checksum && { ...result.checksum, type: result.checksum.type }),
        headers,
      )
    }
    case 'AbortMultipartUpload':
      await engine.abortMultipartUpload(op.bucket, op.key, op.uploadId)
      res.writeHead(204)
      res.end()
      return
    case 'ListParts': {
      const result = await engine.listParts({
        bucket: op.bucket,
        key: op.key,
        uploadId: op.uploadId,
        partNumberMarker: op.partNumberMarker,
        maxParts: op.maxParts,
      })
      return xml(res, listPartsXml(op, result))
    }
    case 'Unsupported':
      throw new S3Error('NotImplemented', `The local cloud does not implement ${op.action.replace(/^s3:/, '')}.`, 501)
  }
}

/**
 * DeleteObjects is authorized entry by entry, as on AWS: permitted keys are deleted, the
 * others come back as per-key `AccessDenied` errors in the same response.
 */
async function deleteObjects(ctx: ExecuteContext, bucket: string, text: string, res: ServerResponse, encode: boolean): Promise<void> {
  const { quiet, entries } = parseDeleteObjects(text)
  const outcomes: (DeleteOutcome | undefined)[] = entries.map(() => undefined)
  const allowed: { index: number; entry: (typeof entries)[number] }[] = []
  entries.forEach((entry, index) => {
    const unsafe = unsafeKeyReason(entry.key)
    if (unsafe) outcomes[index] = { key: entry.key, versionId: entry.versionId, ok: false, code: 'InvalidArgument', message: unsafe }
    else if (!ctx.authorize(deleteEntryAuthorization(bucket, entry)))
      outcomes[index] = { key: entry.key, versionId: entry.versionId, ok: false, code: 'AccessDenied', message: 'Access Denied' }
    else allowed.push({ index, entry })
  })
  const results = allowed.length
    ? await ctx.engine.deleteObjects(
        bucket,
        allowed.map((a) => a.entry),
      )
    : []
  results.forEach((r, i) => {
    const index = allowed[i]?.index as number
    outcomes[index] = r.ok
      ? {
          key: r.key,
          ok: true,
          versionId: allowed[i]?.entry.versionId,
          deleteMarker: r.result.deleteMarker,
          deleteMarkerVersionId: r.result.deleteMarker ? r.result.versionId : undefined,
        }
      : { key: r.key, versionId: r.versionId, ok: false, code: r.error.code, message: r.error.message }
  })
  xml(
    res,
    deleteResultXml(
      outcomes.filter((o): o is DeleteOutcome => o !== undefined),
      quiet,
      encode,
    ),
  )
}

/** Headers of GET/HEAD on an object. Served from the API origin, so sandboxed and unsniffed. */
function objectResponseHeaders(v: ObjectVersion, withChecksum: boolean): Record<string, string> {
  const h = v.headers
  const out: Record<string, string> = {
    'content-type': h.contentType ?? 'binary/octet-stream',
    'content-length': String(v.size),
    etag: v.etag,
    'last-modified': v.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    // A user's HTML opened from this endpoint must not run as this origin, which also serves
    // the mailbox: sandboxed, it gets an opaque origin (S3's endpoint has nothing to steal).
    'content-security-policy': 'sandbox',
    'x-content-type-options': 'nosniff',
  }
  if (h.contentEncoding) out['content-encoding'] = h.contentEncoding
  if (h.contentDisposition) out['content-disposition'] = h.contentDisposition
  if (h.contentLanguage) out['content-language'] = h.contentLanguage
  if (h.cacheControl) out['cache-control'] = h.cacheControl
  if (h.expires) out.expires = h.expires
  if (v.versionId !== 'null') out['x-amz-version-id'] = v.versionId
  for (const [name, value] of Object.entries(h.metadata)) out[`x-amz-meta-${name}`] = headerSafe(value)
  if (withChecksum && v.checksum) {
    out[`x-amz-checksum-${v.checksum.algorithm.toLowerCase()}`] = v.checksum.value
    out['x-amz-checksum-type'] = v.checksum.type
  }
  if (v.parts) out['x-amz-mp-parts-count'] = String(v.parts.length)
  return out
}

/**
 * Node writes header strings as Latin-1, which is how Node's and Python's clients read them
 * back: values within Latin-1 go as they are; anything beyond goes as its UTF-8 bytes.
 */
function headerSafe(value: string): string {
  const clean = value.replace(/[\r\n]/g, ' ')
  return /^[\u0000-\u00ff]*$/.test(clean) ? clean : Buffer.from(clean, 'utf8').toString('latin1')
}

function writeHeaders(result: WriteResult, withEtag = true): Record<string, string> {
  const out: Record<string, string> = {}
  if (withEtag) out.etag = result.etag
  if (result.versionId !== 'null') out['x-amz-version-id'] = result.versionId
  if (result.checksum) {
    out[`x-amz-checksum-${result.checksum.algorithm.toLowerCase()}`] = result.checksum.value
    out['x-amz-checksum-type'] = result.checksum.type
  }
  return out
}

function decodeToken(token: string): string {
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(token) ? Buffer.from(token, 'base64').toString('utf8') : ''
  if (token === '' || decoded === '' || Buffer.from(decoded, 'utf8').toString('base64') !== token)
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' })
  return decoded
}

function xml(res: ServerResponse, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { ...headers, 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) })
  res.end(body)
}

/** Writes an engine or parse error as S3 does; anything else is the gateway's own failure. */
export function sendFailure(res: ServerResponse, error: unknown, resource: string): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  if (error instanceof S3Error) {
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value)
    sendS3Error(res, error.code, error.message, resource, error.status, error.details)
  } else {
    console.error('[s3]', error)
    sendS3Error(res, 'InternalError', 'We encountered an internal error. Please try again.', resource, 500)
  }
}
