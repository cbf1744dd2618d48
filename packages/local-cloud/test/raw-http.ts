/**
 * One HTTP request sent as written: the path byte for byte and any Host header, neither of
 * which fetch lets a test choose (it normalises `/./` away and forbids `Host`).
 */
import { request } from 'node:http'

export interface RawAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export function rawRequest(
  origin: string,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<RawAnswer> {
  const url = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, timeout: options.timeoutMs ?? 5000 },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${origin}${options.path} within ${options.timeoutMs ?? 5000} ms`)))
    req.on('error', reject)
    req.end(options.body)
  })
}
