/**
 * Requests an attacker (or an odd client) would send, byte for byte: the path exactly as given
 * (no normalisation, no re-encoding), signed with SigV4 over that raw path when credentials are
 * given, or not signed at all. The AWS SDK clients cannot send these: they encode keys and
 * refuse malformed bucket names.
 */
import { request as httpRequest } from 'node:http'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentialIdentity } from '@smithy/types'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  text: string
}

export interface RawRequest {
  method: string
  /** Path and query exactly as they go on the wire. */
  path: string
  headers?: Record<string, string>
  body?: Buffer | string
  /** Sign as this caller; anonymous when absent. */
  credentials?: AwsCredentialIdentity
  region?: string
  service?: string
  /** Send header values as their UTF-8 bytes (as curl and Python do) instead of Node's Latin-1. */
  utf8Headers?: boolean
}

export async function rawRequest(endpoint: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint)
  const body = req.body === undefined ? undefined : Buffer.from(req.body)
  let headers: Record<string, string> = { host: url.host, ...(req.headers ?? {}) }
  if (req.credentials) {
    const q = req.path.indexOf('?')
    const query: Record<string, string> = {}
    if (q >= 0) for (const [k, v] of new URLSearchParams(req.path.slice(q + 1))) query[k] = v
    const signer = new SignatureV4({
      service: req.service ?? 's3',
      region: req.region ?? 'us-east-1',
      sha256: Hash.bind(null, 'sha256'),
      credentials: req.credentials,
      // S3 signs the path as sent.
      uriEscapePath: false,
    })
    const signed = await signer.sign(
      new HttpRequest({
        method: req.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: q < 0 ? req.path : req.path.slice(0, q),
        query,
        headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
        body,
      }),
    )
    headers = signed.headers as Record<string, string>
  }
  // Node writes header strings as Latin-1: a string of the UTF-8 bytes puts exactly those bytes on the wire.
  const wire = req.utf8Headers ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('latin1')])) : headers
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: { ...wire, 'content-length': String(body?.length ?? 0) } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const all = Buffer.concat(chunks)
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8') })
        })
        res.on('error', reject)
      },
    )
    out.setTimeout(20_000, () => out.destroy(new Error(`no answer to ${req.method} ${req.path} within 20 s`)))
    out.on('error', reject)
    out.end(body)
  })
}
