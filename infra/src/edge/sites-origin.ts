/**
 * The sites distribution's Lambda@Edge (origin-request and origin-response): `@whimsy/sites`'
 * handler, behind one conversion. The viewer-request step (`viewer-request.ts`) carried the
 * visitor's host in the URI's first segment; at origin-request this puts it back into `Host`,
 * where the site handler reads it, and the rest of the URI is the visitor's path.
 */
import { type CloudFrontEvent, createEdgeHandler, type EdgeConfig, type EdgeDependencies } from '@whimsy/sites/lambda-edge'

export function createSitesOriginHandler(config: EdgeConfig, deps?: Partial<EdgeDependencies>) {
  const handler = createEdgeHandler(config, deps)
  return (event: CloudFrontEvent) => {
    const cf = event.Records[0]?.cf
    if (cf?.config.eventType === 'origin-request') {
      const m = /^\/([^/]*)(\/.*)?$/.exec(cf.request.uri)
      let host = ''
      try {
        host = decodeURIComponent(m?.[1] ?? '')
      } catch {
        // Not what the viewer-request step writes: an empty host, which `resolve` answers with 404.
      }
      cf.request.headers = { ...cf.request.headers, host: [{ key: 'Host', value: host }] }
      cf.request.uri = m?.[2] ?? '/'
    }
    return handler(event)
  }
}
