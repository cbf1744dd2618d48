import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { S3 } from './client.js'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token/with+chars=' }
const NOW = new Date('2026-12-01T16:30:00Z')

afterEach(() => {
  vi.useRealTimers()
})

/** The same link presigned by the AWS SDK's own signer, for comparison. */
async function reference(url: URL, expiresIn: number): Promise<string> {
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false })
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      // S3 signs the path as sent: each key segment encoded once.
      path: url.pathname,
      query: {},
      // As the AWS SDK's presigner does: the payload is UNSIGNED-PAYLOAD, its header neither signed nor hoisted.
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn, signingDate: NOW, unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']) },
  )
  return String(presigned.query?.['X-Amz-Signature'])
}

describe('the S3 client’s URLs and presigned GETs', () => {
  it.each([
    ['path-style', { endpoint: 'http://127.0.0.1:4566', forcePathStyle: true }, 'http://127.0.0.1:4566/bucket-1/'],
    ['virtual-host', {}, 'https://bucket-1.s3.us-east-1.amazonaws.com/'],
  ])('%s: the key is encoded once per segment, and the signature is the AWS SDK signer’s', async (_, options, base) => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const s3 = new S3({ region: 'us-east-1', credentials: async () => credentials, ...options })
    const key = "us-east-1:abc/a b+c&d'(é)*!.txt"
    const link = new URL(await s3.presignGet('bucket-1', key, 600))
    expect(`${link.origin}${link.pathname}`).toBe(`${base}us-east-1%3Aabc/a%20b%2Bc%26d%27%28%C3%A9%29%2A%21.txt`)
    expect(link.searchParams.get('X-Amz-Expires')).toBe('600')
    expect(link.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken)
    expect(link.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261201/us-east-1/s3/aws4_request')
    expect(link.searchParams.get('X-Amz-Signature')).toBe(await reference(link, 600))
  })

  it('reaches a bucket whose name is no DNS label by path, as the AWS SDK does', async () => {
    const s3 = new S3({ region: 'us-east-1', credentials: async () => credentials })
    const link = new URL(await s3.presignGet('my.bucket', 'k', 60))
    expect(`${link.origin}${link.pathname}`).toBe('https://s3.us-east-1.amazonaws.com/my.bucket/k')
  })
})
