/**
 * What an S3 command is to the client (client.ts): the HTTP request it makes and how it reads
 * the answer. The command classes (objects.ts, multipart.ts) keep the AWS SDK's names, inputs
 * and outputs, so call sites read as before: `s3.send(new HeadObjectCommand({ Bucket, Key }))`.
 */

export interface S3Request {
  method: 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE'
  bucket: string
  /** The object's key; absent for bucket operations (listings, batch deletes). */
  key?: string
  /** Query parameters; `''` sends a bare name (`?uploads`). */
  query?: Record<string, string | number | undefined>
  headers?: Record<string, string | undefined>
  body?: Uint8Array | string
  /** S3 may answer 200 with an `<Error>` body (CompleteMultipartUpload, CopyObject). */
  errorIn200?: boolean
  /** The answer's body is the caller's stream (GetObject): it is not read here. */
  streaming?: boolean
}

export interface S3Answer {
  status: number
  headers: Headers
  /** The body as text, unless the request was `streaming`. */
  text: string
  /** The body itself, for `streaming` requests. */
  body: ReadableStream<Uint8Array> | null
}

export interface S3Command<I, O> {
  /** The AWS operation's name (`PutObject`): what the change feed's own-writes hear, as `PutObjectCommand`. */
  readonly operation: string
  readonly input: I
  request(): S3Request | Promise<S3Request>
  parse(answer: S3Answer): O
  /**
   * A conditional write refused (412) on a retry, after an attempt whose answer was lost: its
   * own output when what is there now is this very write (it committed, and the retry met it),
   * or undefined, and the refusal stands. Without it, a committed write would come back as a
   * false Conflict.
   */
  confirmOwnWrite?(s3: S3Sender, signal: AbortSignal): Promise<O | undefined>
}

/** What `confirmOwnWrite` may send with (the client, without an import cycle). */
export interface S3Sender {
  send<I, O>(command: S3Command<I, O>, options?: { abortSignal?: AbortSignal }): Promise<O>
}

/** Base64 of the body's SHA-256, as `x-amz-checksum-sha256` wants it (WebCrypto has no MD5). */
export async function sha256Base64(body: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>))
  return btoa(String.fromCharCode(...digest))
}

/** Every output carries the answer's metadata, as the AWS SDK's do. */
export interface S3Output {
  $metadata: { httpStatusCode: number; requestId?: string }
}

export function metadataOf(answer: S3Answer): S3Output['$metadata'] {
  return { httpStatusCode: answer.status, requestId: answer.headers.get('x-amz-request-id') ?? undefined }
}

/** `x-amz-meta-*` headers from user metadata. */
export function metadataHeaders(metadata: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(metadata ?? {})) headers[`x-amz-meta-${name.toLowerCase()}`] = value
  return headers
}

/** User metadata from `x-amz-meta-*` headers (names lower case, as the AWS SDK gives them). */
export function metadataFrom(headers: Headers): Record<string, string> {
  const metadata: Record<string, string> = {}
  headers.forEach((value, name) => {
    if (name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = value
  })
  return metadata
}

export function header(answer: S3Answer, name: string): string | undefined {
  return answer.headers.get(name) ?? undefined
}

export function numberHeader(answer: S3Answer, name: string): number | undefined {
  const value = answer.headers.get(name)
  return value === null || value === '' ? undefined : Number(value)
}

export function dateHeader(answer: S3Answer, name: string): Date | undefined {
  const value = answer.headers.get(name)
  return value ? new Date(value) : undefined
}
