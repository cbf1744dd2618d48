/**
 * The S3 half of the gateway: authorizes each request against the policy documents, closes
 * s3rver's gaps that matter to correctness, and forwards the rest to s3rver.
 */
import type { ServerResponse } from 'node:http'
import { finished } from 'node:stream/promises'
import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import type { Principal } from './authenticate.js'
import { decodeAwsChunked } from './aws-chunked.js'
import { escapeXml, sendS3Error } from './aws-errors.js'
import { checkBodyIntegrity } from './checksums.js'
import type { AuthorizationRequest } from './iam/evaluate.js'
import type { KeyLock } from './key-lock.js'
import type { MultipartUploads } from './multipart-uploads.js'
import { objectArn, parseCopySource, parseS3Path, s3Authorizations } from './s3-actions.js'
import type { IncomingRequest } from './sigv4.js'
import { responseHeaders, sendUpstream } from './upstream.js'

export interface S3ProxyContext {
  upstream: string
  locks: KeyLock
  uploads: MultipartUploads
  /** All of the request's authorizations allowed? */
  authorize: (principal: Principal, requests: AuthorizationRequest[]) => boolean
}

/** Headers that belong to the client↔gateway hop (auth, framing), not to the object. */
const DROPPED_REQUEST_HEADERS = new Set([
  'authorization',
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'expect',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'x-amz-sdk-checksum-algorithm',
  'x-amz-user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'origin',
  'referer',
])

const PRESIGN_QUERY = /^X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token)$/

export async function handleS3(ctx: S3ProxyContext, req: IncomingRequest, res: ServerResponse, principal: Principal): Promise<void> {
  let target: ReturnType<typeof parseS3Path>
  try {
    target = parseS3Path(req.rawPath)
  } catch {
    return sendS3Error(res, 'InvalidURI', 'Could not parse the specified URI.')
  }
  const query = new URLSearchParams(req.rawQuery)
  const { bucket, key } = target

  if (key !== undefined && hasUnsafeSegment(key))
    // Gap: s3rver stores each object as a file named after its key, so `a/../b` would walk the
    // filesystem. AWS treats such keys literally; the local cloud refuses them outright.
    return sendS3Error(res, 'InvalidArgument', 'Object keys with "." or ".." segments or NUL characters are not accepted.', req.rawPath)

  if (req.method === 'PUT' && Object.keys(req.headers).some((h) => h === 'x-amz-acl' || h.startsWith('x-amz-grant-')))
    // Production buckets have ACLs disabled (BucketOwnerEnforced); the policy is the only access rule.
    return sendS3Error(res, 'AccessControlListNotSupported', 'The bucket does not allow ACLs')

  if (req.method === 'POST' && bucket !== undefined && key === undefined && query.has('delete')) return deleteObjects(ctx, req, res, principal, bucket)

  if (!ctx.authorize(principal, s3Authorizations(req.method, target, query, req.headers))) return sendS3Error(res, 'AccessDenied', 'Access Denied', req.rawPath)

  if (bucket !== undefined && key !== undefined && query.has('uploadId')) {
    const uploadId = query.get('uploadId') ?? ''
    if (!(await ctx.uploads.isPendingFor(bucket, key, uploadId)))
      return sendS3Error(
        res,
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        req.rawPath,
      )
    if (req.method === 'GET') return listParts(ctx, res, bucket, key, uploadId)
    if (req.method === 'DELETE') {
      await ctx.uploads.abort(bucket, uploadId)
      res.writeHead(204)
      res.end()
      return
    }
  }
  if (bucket !== undefined && key === undefined && req.method === 'GET' && query.has('uploads')) return listUploads(ctx, res, bucket, query.get('prefix') ?? '')

  let body: Buffer = Buffer.from(req.body)
  const integrityHeaders: Record<string, string | undefined> = { ...req.headers }
  if (isAwsChunked(req.headers)) {
    try {
      const decoded = decodeAwsChunked(body)
      body = decoded.body
      Object.assign(integrityHeaders, decoded.trailers)
      delete integrityHeaders['x-amz-content-sha256']
    } catch (e) {
      return sendS3Error(res, 'IncompleteBody', e instanceof Error ? e.message : 'Bad aws-chunked body')
    }
    const declared = req.headers['x-amz-decoded-content-length']
    if (declared !== undefined && Number(declared) !== body.length)
      return sendS3Error(res, 'IncompleteBody', 'The request body is shorter than x-amz-decoded-content-length.')
  }
  const mismatch = checkBodyIntegrity(body, integrityHeaders)
  if (mismatch) return sendS3Error(res, mismatch.code, mismatch.message)

  const upstreamPath = `${req.rawPath}${forwardedQuery(req.rawQuery)}`
  const headers = forwardedHeaders(req.headers)
  const copySource = req.headers['x-amz-copy-source']
  if (req.method === 'PUT' && copySource !== undefined) {
    const source = parseCopySource(copySource)
    if (!source || hasUnsafeSegment(source.key))
      return sendS3Error(res, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey')
    // Gap: s3rver ignores x-amz-copy-source-if-match. Checked here, so a move that copies a
    // file which changed since it was listed fails instead of copying the wrong version.
    // (Not atomic with the copy: enough for a local emulator, where S3 itself is atomic.)
    const ifMatch = req.headers['x-amz-copy-source-if-match']
    if (ifMatch !== undefined) {
      const current = await headObject(ctx.upstream, `/${encodeURIComponent(source.bucket)}/${source.key.split('/').map(encodeURIComponent).join('/')}`)
      if (current === undefined) return sendS3Error(res, 'NoSuchKey', 'The specified key does not exist.', req.rawPath)
      if (!etagMatches(ifMatch, current))
        return sendS3Error(res, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', req.rawPath)
    }
    // Gap: s3rver decodes the header with decodeURI, which leaves %3A, %2B, %23, %3F… encoded:
    // hand it the form decodeURI inverts exactly.
    headers['x-amz-copy-source'] = `/${source.bucket}/${encodeURI(source.key)}`
    delete headers['x-amz-copy-source-if-match']
  }
  const isObjectWrite = key !== undefined && (req.method === 'PUT' || req.method === 'DELETE' || (req.method === 'POST' && query.has('uploadId')))
  const isPartUpload = query.has('partNumber')

  const forward = async () => {
    const upstream = await sendUpstream(ctx.upstream, { method: req.method, path: upstreamPath, headers, body })
    const answer = responseHeaders(upstream.headers)
    if (key !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      // A user's HTML opened from this endpoint must not run as this origin, which also serves
      // the mailbox: sandboxed, it gets an opaque origin (S3's endpoint has nothing to steal).
      answer['content-security-policy'] = 'sandbox'
      answer['x-content-type-options'] = 'nosniff'
    }
    res.writeHead(upstream.statusCode ?? 502, answer)
    upstream.pipe(res)
    // finished() also settles for a response already closed (a client that hung up while the
    // emulator worked), where waiting for a 'close' event would wait forever.
    await finished(res).catch(() => {})
  }

  if (isPartUpload && bucket !== undefined) {
    // Counted, so an abort waits for parts in flight instead of racing them (s3rver would
    // recreate the upload's directory for a part that lands after the abort).
    const uploadId = query.get('uploadId') ?? ''
    return ctx.uploads.whilePartInFlight(bucket, uploadId, async () => {
      if (ctx.uploads.isAborting(bucket, uploadId))
        return sendS3Error(res, 'NoSuchUpload', 'The specified upload does not exist. The upload may have been aborted.', req.rawPath)
      await forward()
    })
  }
  if (!isObjectWrite || bucket === undefined || key === undefined) return forward()

  await ctx.locks.run(`${bucket}/${key}`, async () => {
    const ifNoneMatch = req.headers['if-none-match']
    const ifMatch = req.headers['if-match']
    if ((req.method === 'PUT' || req.method === 'POST' || req.method === 'DELETE') && (ifNoneMatch !== undefined || ifMatch !== undefined)) {
      // Gap: s3rver ignores If-None-Match / If-Match on writes and deletes and goes ahead. We
      // check them here, under the key's lock, so of two racing writes exactly one can win.
      const current = await headObject(ctx.upstream, req.rawPath)
      if (ifNoneMatch !== undefined) {
        if (ifNoneMatch.trim() !== '*') return sendS3Error(res, 'NotImplemented', 'If-None-Match on writes accepts only "*".')
        if (current !== undefined) return sendS3Error(res, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', req.rawPath)
      }
      if (ifMatch !== undefined) {
        if (current === undefined) return sendS3Error(res, 'NoSuchKey', 'The specified key does not exist.', req.rawPath)
        if (!etagMatches(ifMatch, current))
          return sendS3Error(res, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', req.rawPath)
      }
    }
    // Gap: after a delete s3rver removes the folders it emptied, and a concurrent delete in the
    // same folder then fails (500). Deletes are serialised per bucket. (A write racing that
    // clean-up can fail too; it answers 500, which clients retry, and loses nothing.)
    if (req.method === 'DELETE') await ctx.locks.run(`${bucket}:s3rver-folders`, forward)
    else await forward()
  })
}

function hasUnsafeSegment(key: string): boolean {
  return key.includes('\u0000') || key.split('/').some((s) => s === '.' || s === '..')
}

function isAwsChunked(headers: Readonly<Record<string, string | undefined>>): boolean {
  return (headers['content-encoding'] ?? '').includes('aws-chunked') || (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')
}

function forwardedHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || name.startsWith('x-amz-checksum-')) continue
    if (name === 'content-encoding') {
      const rest = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && s !== 'aws-chunked')
        .join(', ')
      if (rest) out[name] = rest
      continue
    }
    out[name] = value
  }
  return out
}

function forwardedQuery(rawQuery: string): string {
  if (!rawQuery) return ''
  // Presign parameter names are plain ASCII, so the raw name is compared as is: decoding a
  // client's malformed escape here would throw.
  const kept = rawQuery.split('&').filter((p) => !PRESIGN_QUERY.test(p.split('=')[0] ?? ''))
  return kept.length ? `?${kept.join('&')}` : ''
}

async function headObject(upstream: string, rawPath: string): Promise<string | undefined> {
  const res = await sendUpstream(upstream, { method: 'HEAD', path: rawPath, headers: {} })
  res.resume()
  if (res.statusCode === 404) return undefined
  return String(res.headers.etag ?? '')
}

function etagMatches(condition: string, etag: string): boolean {
  const norm = (s: string) => s.trim().replace(/^W\//, '').replace(/^"|"$/g, '')
  return condition.split(',').some((c) => c.trim() === '*' || norm(c) === norm(etag))
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // Keys may begin or end with spaces: "a.txt " is not "a.txt".
  trimValues: false,
  isArray: (name) => name === 'Object' || name === 'Deleted' || name === 'Error',
})
const xmlBuilder = new XMLBuilder({ ignoreAttributes: true })

/**
 * DeleteObjects is authorized key by key, as on AWS: permitted keys are deleted, the others
 * come back as per-key `AccessDenied` errors in the same response.
 */
async function deleteObjects(ctx: S3ProxyContext, req: IncomingRequest, res: ServerResponse, principal: Principal, bucket: string) {
  type Entry = { Key: string; VersionId?: string }
  let objects: Entry[]
  let quiet: boolean
  try {
    const parsed = xmlParser.parse(Buffer.from(req.body).toString('utf8')) as { Delete?: { Object?: Entry[]; Quiet?: string } }
    objects = parsed.Delete?.Object ?? []
    quiet = parsed.Delete?.Quiet === 'true'
  } catch {
    return sendS3Error(res, 'MalformedXML', 'The XML you provided was not well-formed.')
  }
  const allowed: Entry[] = []
  const denied: Entry[] = []
  for (const o of objects) {
    const key = String(o.Key)
    const ok = !hasUnsafeSegment(key) && ctx.authorize(principal, [{ action: 's3:DeleteObject', resource: objectArn(bucket, key) }])
    ;(ok ? allowed : denied).push({ Key: key })
  }
  // Gap: s3rver's own DeleteObjects trims the keys it parses ("a.txt " deletes "a.txt"), so
  // the gateway deletes key by key, one at a time (see the folder lock below).
  const deleted: Entry[] = []
  let errors: { Key: string; Code: string; Message: string }[] = []
  for (const entry of allowed) {
    const path = `/${encodeURIComponent(bucket)}/${entry.Key.split('/').map(encodeURIComponent).join('/')}`
    const upstream = await ctx.locks.run(`${bucket}:s3rver-folders`, () => sendUpstream(ctx.upstream, { method: 'DELETE', path, headers: {} }))
    upstream.resume()
    const status = upstream.statusCode ?? 500
    if (status < 300 || status === 404) deleted.push({ Key: entry.Key })
    else errors.push({ Key: entry.Key, Code: 'InternalError', Message: `Delete failed with status ${status}` })
  }
  errors = [...errors, ...denied.map((d) => ({ Key: d.Key, Code: 'AccessDenied', Message: 'Access Denied' }))]
  const parts = [
    ...(quiet ? [] : deleted.map((d) => `<Deleted><Key>${escapeXml(String(d.Key))}</Key></Deleted>`)),
    ...errors.map((e) => `<Error><Key>${escapeXml(String(e.Key))}</Key><Code>${e.Code}</Code><Message>${escapeXml(e.Message)}</Message></Error>`),
  ]
  res.writeHead(200, { 'content-type': 'application/xml' })
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</DeleteResult>`)
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html (one page: ≤ 10,000 parts). */
async function listParts(ctx: S3ProxyContext, res: ServerResponse, bucket: string, key: string, uploadId: string): Promise<void> {
  const parts = await ctx.uploads.parts(bucket, uploadId)
  const xml = xmlBuilder.build({
    ListPartsResult: {
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      IsTruncated: 'false',
      Part: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, Size: p.size, LastModified: p.lastModified.toISOString() })),
    },
  })
  res.writeHead(200, { 'content-type': 'application/xml' })
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`)
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html (one page). */
async function listUploads(ctx: S3ProxyContext, res: ServerResponse, bucket: string, prefix: string): Promise<void> {
  const uploads = await ctx.uploads.pending(bucket, prefix)
  const xml = xmlBuilder.build({
    ListMultipartUploadsResult: {
      Bucket: bucket,
      Prefix: prefix,
      IsTruncated: 'false',
      Upload: uploads.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: u.initiated.toISOString() })),
    },
  })
  res.writeHead(200, { 'content-type': 'application/xml' })
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`)
}
