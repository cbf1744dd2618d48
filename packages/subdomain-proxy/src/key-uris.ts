/**
 * How an S3 key or a site path becomes a URI path — one rule for the SDK (site and object
 * addresses), the proxy (origin requests) and the edge's signed links, so an address the SDK
 * hands out is the one the proxy resolves. Each segment is percent-encoded the way S3's SigV4
 * canonical URI wants (RFC 3986: `encodeURIComponent` plus `!'()*`); slashes stay.
 *
 * This module has no dependencies: the browser SDK imports it as `@whimsy/sites/key-uris`.
 */

/** One path segment, percent-encoded as RFC 3986 (and S3) expect. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** A path (`/a b/c.txt`) with each segment encoded, the slashes kept. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeSegment).join('/')
}

/** A key as an S3 request path: `/` and each segment encoded. */
export function keyToUri(key: string): string {
  return encodePath(`/${key}`)
}

/** The inverse of `keyToUri`, for a uri this module wrote; `undefined` for a malformed escape. */
export function uriToKey(uri: string): string | undefined {
  try {
    return uri.slice(1).split('/').map(decodeURIComponent).join('/')
  } catch {
    return undefined
  }
}
