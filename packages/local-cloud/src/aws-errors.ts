/**
 * AWS's own error shapes, so SDK clients parse local denials exactly as production ones:
 * S3's XML `<Error>` and the JSON `__type` of the JSON protocols (DynamoDB, Cognito).
 */
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { errorXml } from './s3/http/xml.js'

const S3_STATUS: Record<string, number> = {
  AccessDenied: 403,
  SignatureDoesNotMatch: 403,
  InvalidAccessKeyId: 403,
  RequestTimeTooSkewed: 403,
  ExpiredToken: 400,
  InvalidToken: 400,
  IncompleteSignature: 400,
  PreconditionFailed: 412,
  NoSuchKey: 404,
  NoSuchBucket: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  MissingContentLength: 411,
  NotImplemented: 501,
  InternalError: 500,
  ServiceUnavailable: 503,
}

/**
 * Every S3 answer carries a request id (headers and, for errors, the body), as S3's do: tools
 * quote it, and the SDK puts it in `$metadata`. Set once per response, reused by the error body.
 */
export function s3RequestId(res: ServerResponse): string {
  const existing = res.getHeader('x-amz-request-id')
  if (typeof existing === 'string') return existing
  const id = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()
  if (!res.headersSent) {
    res.setHeader('x-amz-request-id', id)
    res.setHeader('x-amz-id-2', Buffer.from(randomUUID()).toString('base64'))
  }
  return id
}

/** S3's XML error. `details` are extra elements (`Key`, `BucketName`, `ArgumentName`…); a HEAD answer has no body. */
export function sendS3Error(res: ServerResponse, code: string, message: string, resource = '', status?: number, details: Record<string, string> = {}): void {
  const requestId = s3RequestId(res)
  const body = errorXml(code, message, requestId, resource ? { Resource: resource, ...details } : details)
  res.writeHead(status ?? S3_STATUS[code] ?? 400, { 'content-type': 'application/xml' })
  // A HEAD response carries no body; the SDK reads the code from the status.
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}

/** JSON-protocol error (`application/x-amz-json-1.0` / `1.1`). */
export function sendJsonError(res: ServerResponse, type: string, message: string, status = 400): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': type })
  res.end(JSON.stringify({ __type: type, message }))
}

export { escapeXml } from './s3/http/xml.js'
