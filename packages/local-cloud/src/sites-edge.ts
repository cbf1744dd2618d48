/**
 * The user-site edge of the local cloud: `http://<handle>.localhost:<port>/` runs the very
 * handler production runs at the edge (`@whimsy/sites`), reading objects straight from the
 * in-process S3 engine, as CloudFront reads the bucket through its origin access — and only
 * ever keys under `<identityId>/public/`, which the handler guarantees. No HTTP hop, so no
 * second parser of keys between the handler and the store.
 *
 * Node cannot resolve `*.localhost`, so a request whose own Host is not a site host may name
 * the site in `x-forwarded-host` (`config.endpoints.sites`). A request that arrives on a site
 * host never gets to pick another one.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { createSiteHandler, type HandleLookup, type ObjectFetcher, type ObjectMeta, siteHandle } from '@whimsy/sites'
import { type ObjectVersion, type S3Engine, S3Error } from './s3/engine/types.js'

export interface SitesEdgeOptions {
  /** `localhost:<port>` */
  sitesDomain: string
  /** The S3 engine the gateway serves. */
  engine: S3Engine
  bucket: string
  lookupHandle: HandleLookup
}

export function createSitesEdge(options: SitesEdgeOptions): RequestListener {
  const site = createSiteHandler({
    sitesDomain: options.sitesDomain,
    lookupHandle: options.lookupHandle,
    objects: engineObjects(options.engine, options.bucket),
  })

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

/** Reads the bucket as its owner would (the edge's origin access): the handler picks the keys. */
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
      return { meta: meta(result.version), body: result.body }
    },
  }
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
