/** Plain HTTP forwarding to an emulator, over kept-alive connections. */
import { Agent, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http'

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

export interface UpstreamRequest {
  method: string
  /** Path and query, already encoded. */
  path: string
  headers: Record<string, string>
  body?: Uint8Array
}

export function sendUpstream(baseUrl: string, req: UpstreamRequest): Promise<IncomingMessage> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const out = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, 'content-length': String(req.body?.length ?? 0) },
      },
      resolve,
    )
    out.on('error', reject)
    out.end(req.body && req.body.length > 0 ? req.body : undefined)
  })
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Response headers worth passing back to the client (hop-by-hop ones dropped). */
export function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k.startsWith('access-control-')) continue
    out[k] = v
  }
  return out
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'date', 'server'])
