/**
 * AWS's JSON protocols (DynamoDB, the identity pool) over fetch: a POST of the input as JSON
 * to `X-Amz-Target: <prefix>.<Operation>`, signed with SigV4 (aws4fetch) where the service
 * needs it, sent through the one retry policy (retry.ts). Failures come back as errors shaped
 * like the AWS SDK's (`name`, `message`, `$metadata.httpStatusCode`), so `toWhimsyError` and
 * the expired-credentials check read them as before.
 */
import { AwsClient } from 'aws4fetch'
import { isRetryableStatus, type Outcome, type RequestPolicy, withRetries } from './retry.js'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface JsonService {
  endpoint: string
  region: string
  /** The signing name (`dynamodb`); absent for unsigned calls (the identity pool's). */
  signingName?: string
  targetPrefix: string
  contentType: string
  credentials?: () => Promise<AwsCredentials>
  policy?: RequestPolicy
}

/** An AWS service error, as the AWS SDK v3 shapes them. Extra fields of the body are kept. */
export class AwsServiceError extends Error {
  readonly $metadata: { httpStatusCode: number; requestId?: string }
  readonly $fault: 'client' | 'server';
  [field: string]: unknown

  constructor(name: string, message: string, status: number, requestId: string | undefined, body: Record<string, unknown>) {
    super(message)
    Object.assign(this, body)
    this.name = name
    this.message = message
    this.$metadata = { httpStatusCode: status, requestId }
    this.$fault = status >= 500 ? 'server' : 'client'
  }
}

/** Reads a JSON protocol's error answer. `__type` may carry a namespace (`…#ConditionalCheckFailedException`). */
export function jsonError(status: number, headers: Headers, text: string): AwsServiceError {
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>
  } catch {
    // not JSON (a proxy's page): the status speaks
  }
  const type = String(body.__type ?? headers.get('x-amzn-errortype') ?? '').split(':')[0] ?? ''
  const name = type.slice(type.lastIndexOf('#') + 1) || (status >= 500 ? 'InternalFailure' : 'UnknownError')
  const message = String(body.message ?? body.Message ?? (text.length < 200 ? text : '') ?? '') || `${name} (HTTP ${status})`
  const { __type: _type, message: _m, Message: _M, ...rest } = body
  return new AwsServiceError(name, message, status, headers.get('x-amzn-requestid') ?? undefined, rest)
}

/**
 * One operation. `onConflictAfterLostAnswer` is asked when a retry of a request whose earlier
 * answer was lost fails its condition: it may prove the first attempt committed (and return
 * its result) instead of reporting a false Conflict.
 */
export async function callJson<O>(
  service: JsonService,
  operation: string,
  input: unknown,
  options: { signal?: AbortSignal; onConflictAfterLostAnswer?: (error: AwsServiceError) => Promise<O | undefined> } = {},
): Promise<O> {
  const body = JSON.stringify(input)
  return withRetries<O>(
    async ({ signal, answerLost }): Promise<Outcome<O>> => {
      const headers = { 'content-type': service.contentType, 'x-amz-target': `${service.targetPrefix}.${operation}` }
      const init: RequestInit = { method: 'POST', headers, body, signal }
      let request: Request
      if (service.signingName && service.credentials) {
        const credentials = await service.credentials()
        const signer = new AwsClient({ ...credentials, service: service.signingName, region: service.region, retries: 0 })
        request = await signer.sign(service.endpoint, init)
      } else request = new Request(service.endpoint, init)
      const response = await fetch(request, { signal })
      const text = await response.text()
      if (response.ok) return { ok: true, value: (text ? JSON.parse(text) : {}) as O }
      const error = jsonError(response.status, response.headers, text)
      if (answerLost && error.name === 'ConditionalCheckFailedException' && options.onConflictAfterLostAnswer) {
        const committed = await options.onConflictAfterLostAnswer(error)
        if (committed !== undefined) return { ok: true, value: committed }
      }
      return { ok: false, error, retry: isRetryableStatus(response.status, error.name) }
    },
    { signal: options.signal, policy: service.policy },
  )
}
