/**
 * The user-site handler without a runtime: a request (host, path, method, a few headers) in, a
 * response out, given a handle lookup and a way to read objects. The local edge serves it
 * over node:http; the Lambda@Edge adapter uses `route` on the way to S3 and `missing` on the way
 * back. Only keys under `<identityId>/public/` are ever read.
 */
import { type ByteRange, noneMatchHits, parseRange } from './conditional.js'
import { contentTypeFor } from './content-types.js'
import type { HandleLookup } from './handle-cache.js'
import { folderOf, publicKey, type Resolution, resolve } from './resolve.js'

export interface SiteRequest {
  method: string
  /** The site host, e.g. `danielx.whimsy.space`. */
  host: string | undefined
  /** Raw (still percent-encoded) path, without the query. */
  uri: string
  /** Raw query string without `?`, kept on redirects. */
  query?: string
  /** Lowercase header names: `range`, `if-none-match`, `if-range`. */
  headers?: Record<string, string | undefined>
}

export type SiteBody = string | Uint8Array | AsyncIterable<Uint8Array>

export interface SiteResponse {
  status: number
  headers: Record<string, string>
  body?: SiteBody
}

export interface ObjectMeta {
  size: number
  etag?: string
  contentType?: string
  lastModified?: string
  cacheControl?: string
}

/** Reads objects of the bucket; null when the key does not exist. */
export interface ObjectFetcher {
  head(key: string): Promise<ObjectMeta | null>
  get(key: string, range?: ByteRange): Promise<{ meta: ObjectMeta; body: SiteBody } | null>
}

export interface SiteHandlerOptions {
  /** `whimsy.space`, or `localhost:4302` locally. */
  sitesDomain: string
  /** Handle → identityId; wrap it in `cachedHandleLookup`. */
  lookupHandle: HandleLookup
  objects: ObjectFetcher
}

export type Route =
  | { kind: 'object'; handle: string; identityId: string; path: string; key: string; resolution: Extract<Resolution, { kind: 'key' }> }
  | { kind: 'response'; response: SiteResponse }

/** Files change when their owner publishes; a minute of caching keeps edges warm without staling pages for long. */
export const OBJECT_CACHE_CONTROL = 'public, max-age=60'
const NOT_FOUND_CACHE_CONTROL = 'public, max-age=10'
const REDIRECT_CACHE_CONTROL = 'public, max-age=300'

const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', ''])

export function createSiteHandler(options: SiteHandlerOptions) {
  const { sitesDomain, lookupHandle, objects } = options

  /** Which object a request names, or the response that ends it here (preflight, 400, 404, 405). */
  async function route(req: SiteRequest): Promise<Route> {
    const method = req.method.toUpperCase()
    if (method === 'OPTIONS') return { kind: 'response', response: preflight() }
    if (method !== 'GET' && method !== 'HEAD')
      return { kind: 'response', response: plain(405, 'Method not allowed\n', { allow: 'GET, HEAD, OPTIONS', 'cache-control': 'no-store' }, method) }
    const resolution = resolve(req.host, req.uri, sitesDomain)
    if (resolution.kind === 'refuse') {
      const response =
        resolution.status === 400
          ? plain(400, `Bad request: ${resolution.reason}\n`, { 'cache-control': 'no-store' }, method)
          : notFoundPage(method, 'There is no site at this address.')
      return { kind: 'response', response }
    }
    let identityId: string | null
    try {
      identityId = await lookupHandle(resolution.handle)
    } catch {
      return { kind: 'response', response: plain(502, 'The site registry did not answer; try again.\n', { 'cache-control': 'no-store' }, method) }
    }
    if (identityId === null) return { kind: 'response', response: notFoundPage(method, 'There is no site at this address.') }
    const key = publicKey(identityId, resolution.path)
    return { kind: 'object', handle: resolution.handle, identityId, path: resolution.path, key, resolution }
  }

  /** The whole request, served from `objects` (the local edge). */
  async function serve(req: SiteRequest): Promise<SiteResponse> {
    const r = await route(req)
    if (r.kind === 'response') return r.response
    const method = req.method.toUpperCase()
    const headers = req.headers ?? {}
    const wantsRange = method === 'GET' && !!headers.range
    let meta: ObjectMeta | null = null
    if (method === 'HEAD' || wantsRange || headers['if-none-match']) {
      meta = await objects.head(r.key)
      if (!meta) return missing(r.identityId, r.path, method, req.query)
      if (noneMatchHits(headers['if-none-match'], meta.etag))
        return { status: 304, headers: pick(objectHeaders(r.path, meta), ['etag', 'cache-control', 'last-modified']) }
      if (method === 'HEAD') return { status: 200, headers: objectHeaders(r.path, meta) }
    }
    if (meta && wantsRange && (!headers['if-range'] || headers['if-range'] === meta.etag)) {
      const range = parseRange(headers.range, meta.size)
      if (range === 'unsatisfiable')
        return {
          status: 416,
          headers: { ...siteHeaders(NOT_FOUND_CACHE_CONTROL), 'content-range': `bytes */${meta.size}`, 'content-type': 'text/plain' },
          body: '',
        }
      if (range) {
        const part = await objects.get(r.key, range)
        if (!part) return missing(r.identityId, r.path, method, req.query)
        return {
          status: 206,
          headers: {
            ...objectHeaders(r.path, part.meta),
            'content-range': `bytes ${range.start}-${range.end}/${part.meta.size}`,
            'content-length': String(range.end - range.start + 1),
          },
          body: part.body,
        }
      }
    }
    const object = await objects.get(r.key)
    if (!object) return missing(r.identityId, r.path, method, req.query)
    return { status: 200, headers: objectHeaders(r.path, object.meta), body: object.body }
  }

  /**
   * A request for a key that does not exist: `/dir` with a `dir/index.html` → redirect to
   * `/dir/`; else the site's own `/404.html` with status 404; else a plain 404 page.
   */
  async function missing(identityId: string, path: string, method: string, query?: string): Promise<SiteResponse> {
    const folder = folderOf(path)
    if (folder && (await objects.head(publicKey(identityId, folder.index)))) {
      const location = query ? `${folder.location}?${query}` : folder.location
      return plain(301, `Moved to ${location}\n`, { location, 'cache-control': REDIRECT_CACHE_CONTROL }, method)
    }
    if (path !== '404.html') {
      const page = await objects.get(publicKey(identityId, '404.html'))
      if (page) {
        const headers = { ...objectHeaders('404.html', page.meta), 'cache-control': NOT_FOUND_CACHE_CONTROL }
        return method === 'HEAD' ? { status: 404, headers } : { status: 404, headers, body: page.body }
      }
    }
    return notFoundPage(method, 'There is no such page on this site.')
  }

  return { route, serve, missing }
}

export type SiteHandler = ReturnType<typeof createSiteHandler>

/** Headers every site response carries: no MIME sniffing, readable by any origin's scripts. */
export function siteHeaders(cacheControl: string): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'ETag, Content-Length, Content-Range, Accept-Ranges, Last-Modified',
    'cache-control': cacheControl,
  }
}

/**
 * The Cache-Control a site response gets. Never the owner's own: a handle can change hands,
 * and a page cached for a year (CloudFront invalidations cannot target one host) would keep
 * showing the old owner's content at the new owner's address. Owners may ask for less
 * caching (no-cache, no-store, private), never for more than a minute.
 */
export function siteCacheControl(stored: string | undefined): string {
  return stored && /\b(no-cache|no-store|private)\b/i.test(stored) ? 'no-cache' : OBJECT_CACHE_CONTROL
}

/** Headers of a served object: its own metadata, a content type from its name when S3 has none. */
export function objectHeaders(path: string, meta: ObjectMeta): Record<string, string> {
  const headers: Record<string, string> = {
    ...siteHeaders(siteCacheControl(meta.cacheControl)),
    'content-type': contentTypeOf(path, meta.contentType),
    'content-length': String(meta.size),
    'accept-ranges': 'bytes',
  }
  if (meta.etag) headers.etag = meta.etag
  if (meta.lastModified) headers['last-modified'] = meta.lastModified
  return headers
}

/** The stored type, unless it is the generic one S3 gives files uploaded without a type. */
export function contentTypeOf(path: string, stored: string | undefined): string {
  if (stored && !GENERIC_TYPES.has(stored.split(';')[0]?.trim().toLowerCase() ?? '')) return stored
  return contentTypeFor(path)
}

function preflight(): SiteResponse {
  return {
    status: 204,
    headers: {
      ...siteHeaders('public, max-age=600'),
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'Range, If-None-Match, If-Modified-Since, If-Range',
      'access-control-max-age': '600',
    },
  }
}

const NOT_FOUND_HTML = (message: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><h1>Not found</h1><p>${message}</p></body></html>\n`

function notFoundPage(method: string, message: string): SiteResponse {
  return plain(404, NOT_FOUND_HTML(message), { 'content-type': 'text/html; charset=utf-8', 'cache-control': NOT_FOUND_CACHE_CONTROL }, method)
}

function plain(status: number, body: string, extra: Record<string, string>, method: string): SiteResponse {
  const headers: Record<string, string> = { ...siteHeaders(extra['cache-control'] ?? 'no-store'), 'content-type': 'text/plain; charset=utf-8', ...extra }
  headers['content-length'] = String(new TextEncoder().encode(body).length)
  return method === 'HEAD' ? { status, headers } : { status, headers, body }
}

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = { 'x-content-type-options': 'nosniff', 'access-control-allow-origin': '*' }
  for (const n of names) if (headers[n] !== undefined) out[n] = headers[n]
  return out
}
