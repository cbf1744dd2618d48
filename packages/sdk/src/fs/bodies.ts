/**
 * What `fs.write` accepts, turned into what S3 takes: bytes when the size is known (strings,
 * buffers, Blobs and Files), a stream otherwise.
 */
export type FileBody = string | Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>

export type PreparedBody =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'blob'; blob: Blob; size: number }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array> }

const encoder = new TextEncoder()

export function prepareBody(body: FileBody): PreparedBody | undefined {
  if (typeof body === 'string') return { kind: 'bytes', bytes: encoder.encode(body) }
  if (body instanceof Uint8Array) return { kind: 'bytes', bytes: body }
  if (body instanceof ArrayBuffer) return { kind: 'bytes', bytes: new Uint8Array(body) }
  if (ArrayBuffer.isView(body)) return { kind: 'bytes', bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) }
  if (typeof Blob !== 'undefined' && body instanceof Blob) return { kind: 'blob', blob: body, size: body.size }
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return { kind: 'stream', stream: body }
  return undefined
}

/** Bytes `[start, end)` of a sized body. */
export async function sliceOf(body: Exclude<PreparedBody, { kind: 'stream' }>, start: number, end: number): Promise<Uint8Array> {
  if (body.kind === 'bytes') return body.bytes.subarray(start, end)
  return new Uint8Array(await body.blob.slice(start, end).arrayBuffer())
}

export function sizeOf(body: Exclude<PreparedBody, { kind: 'stream' }>): number {
  return body.kind === 'bytes' ? body.bytes.byteLength : body.size
}

/** Reads a web stream to the end, reporting bytes as they arrive. */
export async function readAllBytes(stream: ReadableStream<Uint8Array>, onChunk?: (bytes: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = stream.getReader()
  const onAbort = () => void reader.cancel().catch(() => {})
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      total += value.byteLength
      onChunk?.(total)
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    reader.releaseLock()
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0]
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
