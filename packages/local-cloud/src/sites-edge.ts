/**
 * The user-site edge of the local cloud, run as CloudFront runs the sites distribution, step by
 * step and with production's own code: the viewer-request CloudFront Function (its deployed
 * source, `infra/src/edge/viewer-request.ts`, moves the host into the URI), the origin-request
 * Lambda@Edge (`infra/src/edge/sites-origin.ts` over `@whimsy/sites`: handle → identityId,
 * URI → `/<identityId>/public/<path>`), the S3 origin — the in-process engine, read as the
 * distribution's origin access reads the bucket (GET/HEAD, Range, If-None-Match) — and the
 * origin-response step (site headers; `/dir` → `/dir/`, the site's 404.html, never S3's XML).
 * CloudFront's cache is the one step left out.
 *
 * Node cannot resolve `*.localhost`, so a request whose own Host is not a site host may name
 * the site in `x-forwarded-host` (`config.endpoints.sites`). A request that arrives on a site
 * host never gets to pick another one.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createSitesOriginHandler } from '@whimsy/infra/edge/sites-origin'
import { VIEWER_REQUEST_CODE } from '@whimsy/infra/edge/viewer-request'
import { type HandleLookup, type ObjectFetcher, type ObjectMeta, siteHandle } from '@whimsy/sites'
import type { CloudFrontRequest, CloudFrontResponse } from '@whimsy/sites/lambda-edge'
import { uriToKey } from '@whimsy/sites/resolve'
import { type GetObjectResult, type ObjectVersion, type S3Engine, S3Error } from './s3/engine/types.js'
import { parseRange } from './s3/http/header-fields.js'

export interface SitesEdgeOptions {
  /** `localhost:<port>` */
  sitesDomain: string
  /** The S3 engine the gateway serves. */
  engine: S3Engine
  bucket: string
  lookupHandle: HandleLookup
}

type ViewerRequest = { method: string; uri: string; querystring: Record<string, unknown>; headers: Record<string, { value: string }> }
type CfHeaders = CloudFrontRequest['headers']

/** The bucket's name as the origin's domain, which the edge steps carry along as S3's host. */
const originDomain = (bucket: string) => `${bucket}.s3.localhost`

export function createSitesEdge(options: SitesEdgeOptions): RequestListener {
  // The deployed source, evaluated as CloudFront's JavaScript runtime does: it defines `handler(event)`.
  const viewerRequest = new Function(`${VIEWER_REQUEST_CODE}; return handler`)() as (event: { request: ViewerRequest }) => ViewerRequest
  const bucketDomain = originDomain(options.bucket)
  const origin = createSitesOriginHandler(
    // The handle lookup is injected; this address is never asked.
    { sitesDomain: options.sitesDomain, handlesApi: 'http://127.0.0.1/_whimsy/handles' },
    { lookupHandle: options.lookupHandle, objectsFor: () => engineObjects(options.engine, options.bucket) },
  )

  return (req, res) => {
    serve(req, res).catch((e: unknown) => {
      console.error('[sites]', e)
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
        res.end('The local site edge hit an internal error; see the terminal.\n')
      } else res.destroy()
    })
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const method = req.method ?? 'GET'
    // ① viewer request: only Host is needed (the cache key is the URI it writes).
    const viewed = viewerRequest({
      request: { method, uri: q < 0 ? url : url.slice(0, q), querystring: {}, headers: { host: { value: siteHostOf(req, options.sitesDomain) ?? '' } } },
    })
    // ② origin request: Host is the origin's (CloudFront does not forward the viewer's).
    const headers: CfHeaders = { host: [{ key: 'Host', value: bucketDomain }] }
    for (const name of ['range', 'if-none-match', 'if-range'] as const) {
      const value = one(req.headers[name])
      if (value !== undefined) headers[name] = [{ key: name, value }]
    }
    const routed = await origin(
      cfEvent('origin-request', { method, uri: viewed.uri, querystring: q < 0 ? '' : url.slice(q + 1), headers, origin: { s3: { domainName: bucketDomain } } }),
    )
    if ('status' in routed) return send(res, method, routed)
    // ③ the S3 origin, ④ origin response.
    const fromS3 = await readOrigin(options.engine, options.bucket, routed)
    const answered = await origin(cfEvent('origin-response', routed, fromS3.response))
    const generated = answered.body !== undefined || answered.status !== fromS3.response.status
    if (generated) fromS3.body?.destroy()
    await send(res, method, answered, generated ? undefined : fromS3.body)
  }
}

function cfEvent(eventType: 'origin-request' | 'origin-response', request: CloudFrontRequest, response?: CloudFrontResponse) {
  return { Records: [{ cf: { config: { eventType }, request, ...(response ? { response } : {}) } }] }
}

/** What S3 answers the distribution for the routed request: status and headers, and the body apart. */
async function readOrigin(engine: S3Engine, bucket: string, request: CloudFrontRequest): Promise<{ response: CloudFrontResponse; body?: Readable }> {
  const key = uriToKey(request.uri)
  const h = (name: string) => request.headers[name]?.[0]?.value
  const status = (code: number, description: string, extra: CfHeaders = {}): { response: CloudFrontResponse } => ({
    response: { status: String(code), statusDescription: description, headers: extra },
  })
  if (!key) return status(403, 'Forbidden')
  const ifRange = h('if-range')
  const rangeHeader = h('range')
  const range = rangeHeader && request.method !== 'HEAD' ? parseRange(rangeHeader) : undefined
  const input = {
    bucket,
    key,
    range: ifRange === undefined ? range : undefined,
    conditions: h('if-none-match') ? { ifNoneMatch: h('if-none-match') } : undefined,
  }
  let result: GetObjectResult
  try {
    result = request.method === 'HEAD' ? await engine.headObject(input) : await engine.getObject(input)
  } catch (e) {
    if (!(e instanceof S3Error)) throw e
    // Without s3:ListBucket, a missing key is 403 to the distribution, as on AWS.
    if (e.status === 404) return status(403, 'Forbidden')
    const extra: CfHeaders = {}
    if (e.status === 304) {
      const version = (await engine.headObject({ bucket, key }).catch(() => undefined))?.version
      if (version) Object.assign(extra, s3Headers(version))
    }
    if (e.status === 416 && e.details?.ActualObjectSize) extra['content-range'] = [{ key: 'Content-Range', value: `bytes */${e.details.ActualObjectSize}` }]
    return status(e.status, e.code, extra)
  }
  const headers = s3Headers(result.version)
  if (result.range) {
    headers['content-range'] = [{ key: 'Content-Range', value: `bytes ${result.range.start}-${result.range.end}/${result.range.total}` }]
    headers['content-length'] = [{ key: 'Content-Length', value: String(result.range.end - result.range.start + 1) }]
  }
  return { response: { status: result.range ? '206' : '200', statusDescription: result.range ? 'Partial Content' : 'OK', headers }, body: result.body }
}

function s3Headers(v: ObjectVersion): CfHeaders {
  const out: CfHeaders = {
    'content-length': [{ key: 'Content-Length', value: String(v.size) }],
    etag: [{ key: 'ETag', value: v.etag }],
    'last-modified': [{ key: 'Last-Modified', value: v.lastModified.toUTCString() }],
    'accept-ranges': [{ key: 'Accept-Ranges', value: 'bytes' }],
  }
  if (v.headers.contentType) out['content-type'] = [{ key: 'Content-Type', value: v.headers.contentType }]
  if (v.headers.cacheControl) out['cache-control'] = [{ key: 'Cache-Control', value: v.headers.cacheControl }]
  return out
}

async function send(res: ServerResponse, method: string, response: CloudFrontResponse | CloudFrontRequest, body?: Readable): Promise<void> {
  const r = response as CloudFrontResponse
  const headers: Record<string, string> = {}
  for (const [name, values] of Object.entries(r.headers)) if (values[0]) headers[name] = values[0].value
  const generated = r.body === undefined ? undefined : Buffer.from(r.body, r.bodyEncoding === 'base64' ? 'base64' : 'utf8')
  // CloudFront sets the length of generated responses itself.
  if (generated) headers['content-length'] = String(generated.length)
  res.writeHead(Number(r.status), r.statusDescription, headers)
  if (method === 'HEAD' || (!body && !generated)) {
    body?.resume()
    res.end()
  } else if (generated) res.end(generated)
  else if (body) {
    // pipeline ends the upstream stream too when the visitor goes away mid-file.
    await pipeline(body, res).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e
    })
  }
}

/** The host the request is for: its own, unless that is no site and it names one in `x-forwarded-host`. */
export function siteHostOf(req: IncomingMessage, sitesDomain: string): string | undefined {
  const own = req.headers.host
  if (siteHandle(own, sitesDomain) !== undefined) return own
  return one(req.headers['x-forwarded-host']) ?? own
}

/** The origin-response step's own reads (`404.html`, `dir/index.html`), as its signed reads get them from S3. */
function engineObjects(engine: S3Engine, bucket: string): ObjectFetcher {
  const meta = (v: ObjectVersion): ObjectMeta => ({
    size: v.size,
    etag: v.etag,
    contentType: v.headers.contentType,
    lastModified: v.lastModified.toUTCString(),
    cacheControl: v.headers.cacheControl,
  })
  // A missing object (or one whose latest version is a delete marker) is simply not there.
  const orNull = (e: unknown) => {
    if (e instanceof S3Error && e.status < 500) return null
    throw e
  }
  return {
    async head(key) {
      return engine.headObject({ bucket, key }).then((r) => meta(r.version), orNull)
    },
    async get(key, range) {
      const result = await engine.getObject({ bucket, key, range }).catch(orNull)
      if (!result?.body) return null
      // The edge generates text bodies from these (Lambda@Edge's 1 MB cap): read them whole.
      const chunks: Buffer[] = []
      for await (const chunk of result.body as Readable) chunks.push(chunk as Buffer)
      return { meta: meta(result.version), body: new Uint8Array(Buffer.concat(chunks)) }
    },
  }
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
