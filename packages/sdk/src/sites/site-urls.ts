/**
 * Addresses of users' sites (`<handle>.<sitesDomain>`) and of public files before a handle
 * exists, and a fetch that reaches a site from Node on the local cloud too. Pure apart from
 * `fetchSite`.
 */
import { checkHandle } from '@whimsy/sites/handles'
// The proxy's own encoding, so the address the SDK hands out is the one the proxy resolves.
import { encodePath } from '@whimsy/sites/key-uris'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'

/** `https://danielx.whimsy.space/a/b.html` for site path `/a/b.html` (encoded per segment). */
export function siteUrl(config: WhimsyConfig, handle: string, sitePath = '/'): string {
  // A handle from elsewhere ("x@evil.example#") must not become the host of a link.
  const check = checkHandle(handle)
  if (!check.ok) throw new WhimsyError('InvalidHandle', `${check.reason}.`)
  return `${config.sitesProtocol ?? 'https'}://${handle}.${config.sitesDomain}${encodePath(sitePath)}`
}

/** The public S3 address of a key, for public files of a user without a handle yet. */
export function objectUrl(config: WhimsyConfig, key: string): string {
  const encoded = encodePath(`/${key}`)
  const endpoint = config.endpoints?.s3
  if (endpoint) return config.s3ForcePathStyle ? `${endpoint}/${config.bucket}${encoded}` : `${endpoint.replace('://', `://${config.bucket}.`)}${encoded}`
  return `https://${config.bucket}.s3.${config.region}.amazonaws.com${encoded}`
}

/**
 * Fetches a path of a user's site. Where `<handle>.<sitesDomain>` does not resolve (Node on
 * the local cloud) and the config names `endpoints.sites`, the request goes there with the
 * site's host in `x-forwarded-host`, which only the local edge honours.
 */
export function fetchSite(config: WhimsyConfig, handle: string, sitePath: string, init: RequestInit = {}): Promise<Response> {
  const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined'
  const local = config.endpoints?.sites
  const check = checkHandle(handle)
  if (!check.ok) return Promise.reject(new WhimsyError('InvalidHandle', `${check.reason}.`))
  if (local && !inBrowser) {
    const headers = new Headers(init.headers)
    headers.set('x-forwarded-host', `${handle}.${config.sitesDomain}`)
    return fetch(`${local}${encodePath(sitePath)}`, { ...init, headers })
  }
  return fetch(siteUrl(config, handle, sitePath), init)
}
