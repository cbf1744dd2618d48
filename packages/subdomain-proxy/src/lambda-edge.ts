/**
 * The Lambda@Edge adapter: converts CloudFront events to and from the site handler, nothing
 * else. One function, attached to both triggers of the sites distribution:
 *
 * - origin-request: `Host` + uri → the object's key. The request goes on to S3 with uri
 *   `/<identityId>/public/<path>` and `Host` set to the bucket's domain; or a generated response
 *   (400, 404, 405, CORS preflight) ends it here. The cache policy must include `Host`, so one
 *   user's `/index.html` is never served for another's.
 * - origin-response: adds the site headers (nosniff, CORS, Cache-Control, content type) to what
 *   S3 answered, and turns S3's 403/404 (its XML) into the site's answer: a redirect `/dir` →
 *   `/dir/`, the user's `/404.html`, or a plain 404 page.
 *
 * Lambda@Edge has no environment variables: `configureEdge` is called by the bundle's entry
 * with configuration baked in at build time (see `scripts/build-edge.ts`).
 */
import { checkEdgeConfig } from './edge-config.js'
import { cachedHandleLookup, type HandleLookup } from './handle-cache.js'
import { keyToUri, uriToKey } from './resolve.js'
import { contentTypeOf, createSiteHandler, type ObjectFetcher, type SiteBody, type SiteResponse, siteCacheControl, siteHeaders } from './site-handler.js'

export interface EdgeConfig {
  /** `whimsy.space` */
  sitesDomain: string
  /** The claim function's base URL; the edge asks `<handlesApi>/resolve/<handle>`. */
  handlesApi: string
  cacheTtlMs?: number
  negativeCacheTtlMs?: number
}

type CfHeaders = Record<string, { key?: string; value: string }[]>

export interface CloudFrontRequest {
  clientIp?: string
  method: string
  uri: string
  querystring: string
  headers: CfHeaders
  origin?: { s3?: { domainName: string; [k: string]: unknown }; custom?: { domainName: string; [k: string]: unknown } }
  [k: string]: unknown
}

export interface CloudFrontResponse {
  status: string
  statusDescription?: string
  headers: CfHeaders
  body?: string
  bodyEncoding?: 'text' | 'base64'
}

export interface CloudFrontEvent {
  Records: {
    cf: {
      config: { eventType: 'origin-request' | 'origin-response' | string; [k: string]: unknown }
      request: CloudFrontRequest
      response?: CloudFrontResponse
    }
  }[]
}

export interface EdgeDependencies {
  lookupHandle: HandleLookup
  /** Reads a public object by key from the bucket whose domain is given; the default uses `fetch`. */
  objectsFor: (bucketDomain: string) => ObjectFetcher
}

/** Lambda@Edge caps a generated response body at 1 MB; a bigger 404.html falls back to the plain page. */
const MAX_GENERATED_BODY = 1_000_000
/** Carries the visitor's query string from origin-request to origin-response. */
const QUERY_HEADER = 'x-whimsy-query'

export function createEdgeHandler(edgeConfig: EdgeConfig, deps?: Partial<EdgeDependencies>) {
  const config = checkEdgeConfig(edgeConfig)
  const lookupHandle =
    deps?.lookupHandle ?? cachedHandleLookup(httpHandleLookup(config.handlesApi), { ttlMs: config.cacheTtlMs, negativeTtlMs: config.negativeCacheTtlMs })
  const objectsFor = deps?.objectsFor ?? fetchObjects
  const handlers = new Map<string, ReturnType<typeof createSiteHandler>>()
  const siteHandler = (bucketDomain: string) => {
    let h = handlers.get(bucketDomain)
    if (!h) {
      h = createSiteHandler({ sitesDomain: config.sitesDomain, lookupHandle, objects: objectsFor(bucketDomain) })
      handlers.set(bucketDomain, h)
    }
    return h
  }

  return async function handler(event: CloudFrontEvent): Promise<CloudFrontRequest | CloudFrontResponse> {
    const record = event.Records[0]?.cf
    if (!record) throw new Error('Not a CloudFront event')
    const { request } = record
    if (record.config.eventType === 'origin-response' && record.response) return originResponse(request, record.response)
    return originRequest(request)
  }

  async function originRequest(request: CloudFrontRequest): Promise<CloudFrontRequest | CloudFrontResponse> {
    const bucketDomain = request.origin?.s3?.domainName ?? request.origin?.custom?.domainName ?? header(request.headers, 'host') ?? ''
    const route = await siteHandler(bucketDomain).route({
      method: request.method,
      host: header(request.headers, 'host'),
      uri: request.uri,
      query: request.querystring,
    })
    if (route.kind === 'response') return toCloudFront(route.response)
    return {
      ...request,
      uri: keyToUri(route.key),
      // Never pass a query to S3: CloudFront signs the origin request (OAC), and S3 honours
      // `response-content-type=text/html`, `versionId`… on signed requests.
      querystring: '',
      // S3 answers for the bucket's own host only (and OAC signs for it). The visitor's query
      // rides along in a header S3 ignores, for origin-response's `/dir` → `/dir/?query`.
      headers: {
        ...request.headers,
        host: [{ key: 'Host', value: bucketDomain }],
        ...(request.querystring ? { [QUERY_HEADER]: [{ key: QUERY_HEADER, value: request.querystring }] } : {}),
      },
    }
  }

  async function originResponse(request: CloudFrontRequest, response: CloudFrontResponse): Promise<CloudFrontResponse> {
    const key = uriToKey(request.uri)
    const m = key ? /^([^/]+)\/public\/(.+)$/.exec(key) : null
    const status = Number(response.status)
    if (m && (status === 403 || status === 404)) {
      const bucketDomain = header(request.headers, 'host') ?? request.origin?.s3?.domainName ?? ''
      const [, identityId = '', path = ''] = m
      const query = header(request.headers, QUERY_HEADER) ?? request.querystring
      return toCloudFront(await siteHandler(bucketDomain).missing(identityId, path, request.method, query))
    }
    if (!m) return response
    // An unsatisfiable range: S3's answer carries its XML error, which a visitor never sees.
    if (status === 416) {
      const range = header(response.headers, 'content-range')
      return toCloudFront({
        status: 416,
        headers: { ...siteHeaders('no-store'), 'content-type': 'text/plain; charset=utf-8', ...(range ? { 'content-range': range } : {}) },
        body: '',
      })
    }
    // Never S3's XML to a visitor, not even for S3's own failures.
    if (status >= 500)
      return toCloudFront({
        status: 502,
        headers: { ...siteHeaders('no-store'), 'content-type': 'text/plain; charset=utf-8' },
        body: 'The site is unavailable for a moment; try again.\n',
      })
    // S3's answer, with the site's headers; S3 keeps its own Content-Length, ETag, Content-Range.
    const stored = header(response.headers, 'content-type')
    const extra: Record<string, string> = { ...siteHeaders(siteCacheControl(header(response.headers, 'cache-control'))) }
    if (status !== 304) extra['content-type'] = contentTypeOf(m[2] ?? '', stored)
    const headers = { ...response.headers }
    for (const [name, value] of Object.entries(extra)) headers[name] = [{ key: canonicalName(name), value }]
    return { ...response, headers }
  }
}

/** Asks the claim function who holds a handle. Identity ids are not secrets; the edge needs no credentials. */
export function httpHandleLookup(handlesApi: string): HandleLookup {
  const base = handlesApi.replace(/\/+$/, '')
  return async (handle) => {
    const res = await fetch(`${base}/resolve/${encodeURIComponent(handle)}`)
    if (res.status === 404) return null
    if (!res.ok) throw new Error(`Handle lookup failed: ${res.status}`)
    const body = (await res.json()) as { identityId?: unknown }
    return typeof body.identityId === 'string' ? body.identityId : null
  }
}

/**
 * Reads public objects from the bucket over plain HTTPS, with no credentials: the bucket
 * policy makes `<identityId>/public/*` world-readable, and only such keys are ever asked for.
 */
export function fetchObjects(bucketDomain: string): ObjectFetcher {
  const url = (key: string) => `https://${bucketDomain}${keyToUri(key)}`
  const meta = (res: Response) => ({
    size: Number(res.headers.get('content-length') ?? 0),
    etag: res.headers.get('etag') ?? undefined,
    contentType: res.headers.get('content-type') ?? undefined,
    lastModified: res.headers.get('last-modified') ?? undefined,
    cacheControl: res.headers.get('cache-control') ?? undefined,
  })
  return {
    async head(key) {
      const res = await fetch(url(key), { method: 'HEAD' })
      return res.ok ? meta(res) : null
    },
    async get(key) {
      // Only small pages (404.html, dir/index.html) are fetched here, inside the function: a
      // user's 5 GB "404.html" must not tie up the edge's shared concurrency. Bounded in size
      // (Lambda@Edge generated bodies are ≤ 1 MB) and in time.
      const res = await fetch(url(key), { signal: AbortSignal.timeout(3000) })
      if (!res.ok || Number(res.headers.get('content-length') ?? 0) > MAX_GENERATED_BODY) {
        await res.body?.cancel()
        return null
      }
      const body = new Uint8Array(await res.arrayBuffer())
      if (body.length > MAX_GENERATED_BODY) return null
      return { meta: { ...meta(res), size: body.length }, body }
    },
  }
}

function toCloudFront(response: SiteResponse): CloudFrontResponse {
  const headers: CfHeaders = {}
  for (const [name, value] of Object.entries(response.headers)) {
    // CloudFront sets Content-Length of generated responses itself and refuses it here.
    if (name === 'content-length') continue
    headers[name] = [{ key: canonicalName(name), value }]
  }
  const out: CloudFrontResponse = { status: String(response.status), statusDescription: STATUS_TEXT[response.status] ?? '', headers }
  const body = bodyText(response.body)
  if (body !== undefined) {
    if (new TextEncoder().encode(body).length > MAX_GENERATED_BODY) {
      out.body = '<!doctype html>\n<title>Not found</title><h1>Not found</h1>\n'
      headers['content-type'] = [{ key: 'Content-Type', value: 'text/html; charset=utf-8' }]
    } else out.body = body
    out.bodyEncoding = 'text'
  }
  return out
}

function bodyText(body: SiteBody | undefined): string | undefined {
  if (body === undefined) return undefined
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return new TextDecoder().decode(body)
  throw new Error('The edge generates text bodies only')
}

function header(headers: CfHeaders | undefined, name: string): string | undefined {
  return headers?.[name]?.[0]?.value
}

function canonicalName(name: string): string {
  if (name === 'etag') return 'ETag'
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
}

const STATUS_TEXT: Record<number, string> = {
  204: 'No Content',
  301: 'Moved Permanently',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  416: 'Range Not Satisfiable',
  502: 'Bad Gateway',
}
