/**
 * The origin-response step's own reads (`/404.html`, `dir/index.html`), signed with the edge
 * function's role. The files bucket is private — its public folders are read through CloudFront
 * with OAC — so `@whimsy/sites`' default anonymous reads would be refused; the bucket policy
 * grants this role `s3:GetObject` on `<identityId>/public/*` only, as it grants the distribution.
 *
 * Signed with `@smithy/signature-v4`, the signer the AWS SDK itself uses, rather than a whole S3
 * client: Lambda@Edge bundles stay small and carry no AWS SDK.
 */
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentialIdentity } from '@smithy/types'
import type { ObjectFetcher, ObjectMeta } from '@whimsy/sites'
import { keyToUri } from '@whimsy/sites/resolve'

/** Lambda@Edge caps a generated response body at 1 MB. */
const MAX_BODY = 1_000_000

export interface SignedObjectsOptions {
  /** `https://<bucket>.s3.<region>.amazonaws.com`, or a path-style base such as `http://127.0.0.1:4566/<bucket>`. */
  baseUrl: string
  region: string
  credentials: () => AwsCredentialIdentity | Promise<AwsCredentialIdentity>
  timeoutMs?: number
}

export function signedObjects({ baseUrl, region, credentials, timeoutMs = 3000 }: SignedObjectsOptions): ObjectFetcher {
  const base = new URL(baseUrl)
  const signer = new SignatureV4({ service: 's3', region, credentials: async () => credentials(), sha256: Hash.bind(null, 'sha256'), uriEscapePath: false })
  const send = async (method: 'GET' | 'HEAD', key: string) => {
    const path = `${base.pathname.replace(/\/+$/, '')}${keyToUri(key)}`
    const request = new HttpRequest({
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path,
      headers: { host: base.host },
    })
    const signed = await signer.sign(request)
    const { host: _, ...headers } = signed.headers
    return fetch(`${base.origin}${path}`, { method, headers, signal: AbortSignal.timeout(timeoutMs) })
  }
  const meta = (res: Response): ObjectMeta => ({
    size: Number(res.headers.get('content-length') ?? 0),
    etag: res.headers.get('etag') ?? undefined,
    contentType: res.headers.get('content-type') ?? undefined,
    lastModified: res.headers.get('last-modified') ?? undefined,
    cacheControl: res.headers.get('cache-control') ?? undefined,
  })
  return {
    async head(key) {
      const res = await send('HEAD', key)
      return res.ok ? meta(res) : null
    },
    async get(key) {
      const res = await send('GET', key)
      if (!res.ok || Number(res.headers.get('content-length') ?? 0) > MAX_BODY) {
        await res.body?.cancel()
        return null
      }
      const body = new Uint8Array(await res.arrayBuffer())
      return body.length > MAX_BODY ? null : { meta: { ...meta(res), size: body.length }, body }
    },
  }
}

/** The function role's credentials, which Lambda (and Lambda@Edge) puts in the process environment. */
export function lambdaRoleCredentials(): AwsCredentialIdentity {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) throw new Error('No role credentials in the environment')
  return { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN }
}
