/**
 * AWS's own error shapes, so SDK clients parse local denials exactly as production ones:
 * S3's XML `<Error>` and the JSON `__type` of the JSON protocols (DynamoDB, Cognito).
 */
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'

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
  NoSuchUpload: 404,
  BadDigest: 400,
  XAmzContentSHA256Mismatch: 400,
  EntityTooLarge: 400,
  InvalidArgument: 400,
  InvalidURI: 400,
  AccessControlListNotSupported: 400,
  IncompleteBody: 400,
  MalformedXML: 400,
  ServiceUnavailable: 503,
}

export function sendS3Error(res: ServerResponse, code: string, message: string, resource = ''): void {
  const status = S3_STATUS[code] ?? 400
  const requestId = randomUUID()
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId })
  // A HEAD response carries no body; the SDK reads the code from the status.
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}

/** JSON-protocol error (`application/x-amz-json-1.0` / `1.1`). */
export function sendJsonError(res: ServerResponse, type: string, message: string, status = 400): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': type })
  res.end(JSON.stringify({ __type: type, message }))
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string)
}
