/**
 * The user-site edge of the local cloud: `http://<handle>.localhost:<port>/` runs the very
 * handler production runs at the edge (`@whimsy/sites`), reading objects straight from the S3
 * emulator, as CloudFront reads the bucket through its origin access — and only ever keys under
 * `<identityId>/public/`, which the handler guarantees.
 *
 * Node cannot resolve `*.localhost`, so a request whose own Host is not a site host may name
 * the site in `x-forwarded-host` (`config.endpoints.sites`). A request that arrives on a site
 * host never gets to pick another one.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { createSiteHandler, type HandleLookup, keyToUri, type ObjectFetcher, type ObjectMeta, siteHandle } from '@whimsy/sites'
import { sendUpstream } from './upstream.js'

export interface SitesEdgeOptions {
  /** `localhost:<port>` */
  sitesDomain: string
  /** The S3 emulator's own URL (never given to clients). */
  s3: string
  bucket: string
  lookupHandle: HandleLookup
}

export function createSitesEdge(options: SitesEdgeOptions): RequestListener {
  const site = createSiteHandler({ sitesDomain: options.sitesDomain, lookupHandle: options.lookupHandle, objects: emulatorObjects(options.s3, options.bucket) })

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
    const response = await site.serve({
      method: req.method ?? 'GET',
      host: siteHostOf(req, options.sitesDomain),
      uri: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? undefined : url.slice(q + 1),
      headers: { range: one(req.headers.range), 'if-none-match': one(req.headers['if-none-match']), 'if-range': one(req.headers['if-range']) },
    })
    res.writeHead(response.status, response.headers)
    const body = response.body
    if (body === undefined || req.method === 'HEAD') {
      if (body && typeof body === 'object' && 'resume' in body) (body as IncomingMessage).resume()
      res.end()
    } else if (typeof body === 'string' || body instanceof Uint8Array) res.end(body)
    else {
      // pipeline ends the upstream stream too when the visitor goes away mid-file.
      await pipeline(body, res).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e
      })
    }
  }
}

/** The host the request is for: its own, unless that is no site and it names one in `x-forwarded-host`. */
export function siteHostOf(req: IncomingMessage, sitesDomain: string): string | undefined {
  const own = req.headers.host
  if (siteHandle(own, sitesDomain) !== undefined) return own
  return one(req.headers['x-forwarded-host']) ?? own
}

/** Unsigned GET/HEAD to s3rver, which serves any object to any caller: the handler picks the keys. */
function emulatorObjects(s3: string, bucket: string): ObjectFetcher {
  const path = (key: string) => `/${bucket}${keyToUri(key)}`
  const meta = (res: IncomingMessage): ObjectMeta => ({
    size: Number(res.headers['content-range']?.split('/')[1] ?? res.headers['content-length'] ?? 0),
    etag: one(res.headers.etag),
    contentType: one(res.headers['content-type']),
    lastModified: one(res.headers['last-modified']),
    cacheControl: one(res.headers['cache-control']),
  })
  return {
    async head(key) {
      const res = await sendUpstream(s3, { method: 'HEAD', path: path(key), headers: {} })
      res.resume()
      if (res.statusCode !== 200) return null
      return meta(res)
    },
    async get(key, range) {
      const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {}
      const res = await sendUpstream(s3, { method: 'GET', path: path(key), headers })
      if (res.statusCode !== 200 && res.statusCode !== 206) {
        res.resume()
        return null
      }
      return { meta: meta(res), body: res }
    },
  }
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
