/**
 * A small S3 client (issue 12's size target): the operations `fs` and `profile` send, over
 * fetch with SigV4 (aws4fetch), in place of the AWS SDK's generated client. Every request goes
 * through the one retry, timeout and abort policy (../retry.ts); errors come out shaped like
 * the AWS SDK's (errors.ts). Commands keep the AWS SDK's names (objects.ts, multipart.ts):
 * `s3.send(new GetObjectCommand({ Bucket, Key }), { abortSignal })`.
 */
import { AwsClient } from 'aws4fetch'
import type { AwsCredentials, AwsServiceError } from '../json-protocol.js'
import { DEFAULT_POLICY, isRetryableStatus, type Outcome, type RequestPolicy, withRetries } from '../retry.js'
import type { S3Answer, S3Command, S3Request } from './command.js'
import { s3Error } from './errors.js'
import { canSendWithXhr, sendWithXhr } from './xhr.js'

export interface S3Options {
  region: string
  /** Default: AWS's regional endpoint. */
  endpoint?: string
  /** `http(s)://host/bucket/key` instead of `http(s)://bucket.host/key`. */
  forcePathStyle?: boolean
  credentials: () => Promise<AwsCredentials>
  policy?: RequestPolicy
  /** Hears every successful answer (the change feed marks this device's own writes with it). */
  onAnswer?: (command: string, input: unknown, output: unknown) => void
}

export interface SendOptions {
  abortSignal?: AbortSignal
  /**
   * Bytes of the request body sent so far. In browsers the body then goes with XMLHttpRequest,
   * which reports them as they leave. Elsewhere it is never called: Node's fetch reports nothing,
   * and counting the chunks of a body stream would count what was buffered, not what was sent
   * (and a stream body would go out chunked, which S3 refuses), so callers report after the answer.
   */
  onUploadProgress?: (loaded: number) => void
  /** Attempts in all (default: the policy's). Parts get more: one lost part costs a whole upload. */
  attempts?: number
}

/** Errors worth another attempt whatever their status. */
const RETRYABLE = new Set(['RequestTimeout', 'InternalError', 'SlowDown', 'RequestTimeTooSkewed'])

/** An upload is given time for its body too: at least this many bytes a second. */
const MIN_UPLOAD_RATE = 64 * 1024

export class S3 {
  private readonly endpoint: string
  /** How far this device's clock is from S3's, learnt from a RequestTimeTooSkewed answer. */
  private skewMs = 0
  private signing?: { credentials: AwsCredentials; client: AwsClient }

  constructor(private readonly options: S3Options) {
    this.endpoint = (options.endpoint ?? `https://s3.${options.region}.amazonaws.com`).replace(/\/+$/, '')
  }

  async send<I, O>(command: S3Command<I, O>, options: SendOptions = {}): Promise<O> {
    const spec = await command.request()
    const body = typeof spec.body === 'string' ? new TextEncoder().encode(spec.body) : spec.body
    const base = this.options.policy ?? DEFAULT_POLICY
    const policy: RequestPolicy = {
      ...base,
      attempts: options.attempts ?? base.attempts,
      timeoutMs: base.timeoutMs + Math.ceil(((body?.byteLength ?? 0) / MIN_UPLOAD_RATE) * 1000),
    }
    const output = await withRetries<O>(
      async ({ signal, answerLost }): Promise<Outcome<O>> => {
        const request = await this.sign(spec, body)
        const xhr = options.onUploadProgress && body && canSendWithXhr()
        let response: Response
        // A streamed answer outlives the attempt's timeout, which covers only its headers: a
        // download takes as long as it takes, and ends with the caller's signal.
        const reading = new AbortController()
        const forward = () => reading.abort(signal.reason)
        signal.addEventListener('abort', forward, { once: true })
        try {
          if (xhr && body && options.onUploadProgress) response = await sendWithXhr(request, body, reading.signal, options.onUploadProgress)
          else response = await fetch(request, { signal: reading.signal })
        } finally {
          if (spec.streaming) signal.removeEventListener('abort', forward)
        }
        if (spec.streaming && response.ok) {
          const caller = options.abortSignal
          if (caller?.aborted) reading.abort(caller.reason)
          else caller?.addEventListener('abort', () => reading.abort(caller.reason), { once: true })
          return { ok: true, value: command.parse({ status: response.status, headers: response.headers, text: '', body: response.body }) }
        }
        const text = await response.text()
        signal.removeEventListener('abort', forward)
        const answer: S3Answer = { status: response.status, headers: response.headers, text, body: null }
        if (!response.ok) {
          // Our own condition may be what refused us: the lost attempt committed this write.
          const own = response.status === 412 && answerLost ? await command.confirmOwnWrite?.(this, signal) : undefined
          if (own) return { ok: true, value: own }
          return this.failed(s3Error(response.status, response.headers, text))
        }
        try {
          return { ok: true, value: command.parse(answer) }
        } catch (e) {
          // A 200 carrying an <Error> (Complete, Copy), or a body cut short.
          if ((e as AwsServiceError).$metadata) return this.failed(e as AwsServiceError)
          throw e
        }
      },
      { signal: options.abortSignal, policy },
    )
    try {
      this.options.onAnswer?.(`${command.operation}Command`, command.input, output)
    } catch {
      // A listener's hint, never a reason to fail the call.
    }
    return output
  }

  /** A presigned GET of `key`, valid for `expiresIn` seconds (S3 allows up to 7 days; the caller limits it). */
  async presignGet(bucket: string, key: string, expiresIn: number): Promise<string> {
    const url = `${this.urlOf({ method: 'GET', bucket, key })}?X-Amz-Expires=${expiresIn}`
    const signed = await (await this.signer()).sign(url, { method: 'GET', aws: { signQuery: true, datetime: this.datetime() } })
    return signed.url
  }

  private failed<O>(error: AwsServiceError): Outcome<O> {
    if (error.name === 'RequestTimeTooSkewed') {
      const serverTime = Date.parse(String(error.ServerTime ?? ''))
      if (!Number.isNaN(serverTime)) this.skewMs = serverTime - Date.now()
    }
    return { ok: false, error, retry: isRetryableStatus(error.$metadata.httpStatusCode, error.name) || RETRYABLE.has(error.name) }
  }

  private async signer(): Promise<AwsClient> {
    const credentials = await this.options.credentials()
    // One signer per set of credentials: it keeps the derived signing key between requests.
    if (this.signing?.credentials !== credentials)
      this.signing = { credentials, client: new AwsClient({ ...credentials, service: 's3', region: this.options.region, retries: 0 }) }
    return this.signing.client
  }

  private datetime(): string {
    return new Date(Date.now() + this.skewMs).toISOString().replace(/[:-]|\.\d{3}/g, '')
  }

  private async sign(spec: S3Request, body: Uint8Array | undefined): Promise<Request> {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(spec.headers ?? {})) if (value !== undefined) headers[name] = value
    const query = Object.entries(spec.query ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [value === '' ? encodeRfc3986(name) : `${encodeRfc3986(name)}=${encodeRfc3986(String(value))}`],
    )
    const url = this.urlOf(spec) + (query.length ? `?${query.join('&')}` : '')
    const init = { method: spec.method, headers, body: body as Uint8Array<ArrayBuffer> | undefined, aws: { datetime: this.datetime() } }
    return (await this.signer()).sign(url, init)
  }

  /** Path-style or virtual-host URL of a bucket or an object, as the AWS SDK builds them. */
  private urlOf(spec: Pick<S3Request, 'bucket' | 'key' | 'method'>): string {
    const path = spec.key === undefined ? '' : `/${spec.key.split('/').map(encodeRfc3986).join('/')}`
    // A bucket name with dots (or capitals) is no DNS label: such buckets are reached by path.
    const pathStyle = this.options.forcePathStyle || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(spec.bucket)
    if (pathStyle) return `${this.endpoint}/${encodeRfc3986(spec.bucket)}${path}`
    return `${this.endpoint.replace('://', `://${spec.bucket}.`)}${path || '/'}`
  }
}

/** URI encoding as SigV4 wants it: `encodeURIComponent` plus `!'()*`. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
