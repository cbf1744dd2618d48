/**
 * A signed request sent with XMLHttpRequest, for uploads whose caller wants progress (issue 16):
 * fetch reports nothing while a request body goes out, XMLHttpRequest's `upload.onprogress`
 * does. Browsers only; the answer comes back as a fetch `Response`, so the client reads it the
 * same way, and failures look like fetch's (a TypeError for the network, an AbortError for the
 * signal), so the one retry policy classifies them the same way too.
 */

export function canSendWithXhr(): boolean {
  return typeof XMLHttpRequest !== 'undefined'
}

/** Headers the browser sets itself and refuses from scripts. */
const FORBIDDEN = new Set(['host', 'content-length', 'connection', 'accept-encoding'])

export function sendWithXhr(request: Request, body: Uint8Array, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const xhr = new XMLHttpRequest()
    xhr.open(request.method, request.url)
    request.headers.forEach((value, name) => {
      if (!FORBIDDEN.has(name)) xhr.setRequestHeader(name, value)
    })
    xhr.responseType = 'arraybuffer'
    // Listened to before send(): a listener added later may miss the events (and the preflight).
    xhr.upload.onprogress = (e) => onProgress(e.loaded)
    const onAbort = () => xhr.abort()
    signal.addEventListener('abort', onAbort, { once: true })
    xhr.onloadend = () => signal.removeEventListener('abort', onAbort)
    xhr.onload = () => {
      const status = xhr.status
      const nullBody = status === 204 || status === 205 || status === 304
      resolve(new Response(nullBody ? null : (xhr.response as ArrayBuffer), { status, headers: headersOf(xhr.getAllResponseHeaders()) }))
    }
    xhr.onerror = () => reject(new TypeError('Failed to fetch (the upload lost its connection)'))
    xhr.ontimeout = xhr.onerror
    xhr.onabort = () => reject(signal.reason ?? new DOMException('The upload was aborted.', 'AbortError'))
    xhr.send(body as Uint8Array<ArrayBuffer>)
  })
}

function headersOf(raw: string): Headers {
  const headers = new Headers()
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return headers
}
