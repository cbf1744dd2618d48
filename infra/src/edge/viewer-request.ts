/**
 * The sites distribution's viewer-request step, a CloudFront Function (cloudfront-js-2.0).
 *
 * AWS does not support a cache key on `Host` for S3 origins, and forwarding `Host` breaks
 * Origin Access Control's signature. So this step moves the visitor's host into the URI:
 * `danielx.whimsy.space/a.html` → `/danielx.whimsy.space/a.html`. The cache key is the URI,
 * so one user's `/index.html` is never served for another's, and no `Host` is needed. The whole
 * host travels (not just the label) so the one check of it stays in `@whimsy/sites`' `resolve`,
 * which the origin-request function runs; lowercase so `DanielX.` and `danielx.` share a cache entry.
 */
export const VIEWER_REQUEST_CODE = `function handler(event) {
  var request = event.request;
  var host = request.headers.host ? request.headers.host.value.toLowerCase() : '';
  request.uri = '/' + encodeURIComponent(host) + request.uri;
  return request;
}
`
