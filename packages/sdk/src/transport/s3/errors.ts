/**
 * S3's failures as errors shaped like the AWS SDK's (`name` is S3's Code, `message`,
 * `$metadata.httpStatusCode`, the body's fields such as `Code` and `Key`), so `toWhimsyError`
 * and the expired-credentials check read them as they read the AWS SDK's.
 */
import { AwsServiceError } from '../json-protocol.js'
import { parseXml, type XmlElement } from './xml.js'

/**
 * What an answer without an error body is called (HEAD has none; a proxy may send none).
 * These are the AWS SDK's names for them: `toWhimsyError` and `isExpiredCredentialsError`
 * know them (404 NotFound, 412 PreconditionFailed, a bare 400/403 for expired credentials).
 */
const BY_STATUS: Record<number, string> = {
  304: 'NotModified',
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  412: 'PreconditionFailed',
  416: 'InvalidRange',
}

/** An S3 error answer, read from its XML body (`<Error><Code>…</Code><Message>…`) when it has one. */
export function s3Error(status: number, headers: Headers, text: string): AwsServiceError {
  let element: XmlElement | undefined
  try {
    if (text.trim().startsWith('<')) element = parseXml(text)
  } catch {
    // not XML (a proxy's page): the status speaks
  }
  return errorFrom(status, headers, element?.name === 'Error' ? element : undefined)
}

/** An `<Error>` element (also what S3 sends in a 200 answer to CompleteMultipartUpload or CopyObject that failed). */
export function errorFrom(status: number, headers: Headers, element: XmlElement | undefined): AwsServiceError {
  const body: Record<string, string> = {}
  for (const c of element?.children ?? []) body[c.name] = c.text
  const name = body.Code || BY_STATUS[status] || (status >= 500 ? 'InternalError' : 'UnknownError')
  const message = body.Message || name
  const { Message: _m, ...rest } = body
  const error = new AwsServiceError(name, message, status, headers.get('x-amz-request-id') ?? body.RequestId, { ...rest, Code: name })
  return error
}
