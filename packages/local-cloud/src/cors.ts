/**
 * CORS of the API port. The browser SDK calls it from the app's origin (and may from user
 * pages: their requests still need the user's own credentials, which pages on other origins
 * never get).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export function applyCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin
  if (!origin) return
  res.setHeader('access-control-allow-origin', origin)
  res.setHeader('vary', 'Origin')
  res.setHeader(
    'access-control-expose-headers',
    'ETag, x-amz-request-id, x-amz-version-id, x-amz-checksum-sha256, x-amz-meta-*, x-amzn-requestid, x-amzn-errortype, Content-Length, Content-Range, Last-Modified',
  )
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'GET, HEAD, PUT, POST, DELETE')
    res.setHeader('access-control-allow-headers', String(req.headers['access-control-request-headers'] ?? '*'))
    res.setHeader('access-control-max-age', '600')
  }
}
