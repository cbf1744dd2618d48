/**
 * Requests to the local edge as a browser would send them — raw paths, never normalised by a
 * URL parser (fetch would turn `/%2e%2e/x` into `/x` before sending it).
 */
import { request } from 'node:http'
import type { CloudInfo } from '../../../test/cloud-info.js'

export interface SiteAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  text: string
}

/** `path` is sent byte for byte; `host` is the site host (default: `<handle>.<sitesDomain>`). */
export function siteRequest(
  cloud: CloudInfo,
  options: { handle?: string; host?: string; path: string; method?: string; headers?: Record<string, string>; via?: 'host' | 'forwarded' },
): Promise<SiteAnswer> {
  const origin = new URL(cloud.config.endpoints?.sites ?? '')
  const siteHost = options.host ?? `${options.handle}.${cloud.config.sitesDomain}`
  // What a browser sends to http://<handle>.localhost:<port>/ (Host = the site), or what Node
  // sends to endpoints.sites (Host = 127.0.0.1:<port>, site in x-forwarded-host).
  const headers: Record<string, string> =
    options.via === 'forwarded' ? { host: origin.host, 'x-forwarded-host': siteHost, ...options.headers } : { host: siteHost, ...options.headers }
  return new Promise((resolve, reject) => {
    const req = request({ host: origin.hostname, port: origin.port, method: options.method ?? 'GET', path: options.path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

export async function claim(cloud: CloudInfo, idToken: string | undefined, handle: unknown, init: { origin?: string; body?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (idToken) headers.authorization = `Bearer ${idToken}`
  if (init.origin) headers.origin = init.origin
  const res = await fetch(`${cloud.config.handlesApi}/claim`, { method: 'POST', headers, body: init.body ?? JSON.stringify({ handle }) })
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> }
}

export async function me(cloud: CloudInfo, idToken: string): Promise<string | null> {
  const res = await fetch(`${cloud.config.handlesApi}/me`, { headers: { authorization: `Bearer ${idToken}` } })
  return ((await res.json()) as { handle: string | null }).handle
}

export async function available(cloud: CloudInfo, name: string) {
  const res = await fetch(`${cloud.config.handlesApi}/available/${encodeURIComponent(name)}`)
  return (await res.json()) as { handle: string; available: boolean; reason?: string }
}

export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`
