/**
 * Regression (issue 11, finding 8): the signature is rebuilt from exactly what the client
 * signed — its signed-header list and its payload hash — so requests signed by signers other
 * than the AWS SDK's (no `x-amz-content-sha256`, hoisted presign headers) verify, and any change
 * to a signed part does not.
 */
import { createHash } from 'node:crypto'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { type IncomingRequest, parseSignature, verifySignature } from './sigv4.js'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const now = new Date()
const host = '127.0.0.1:4300'

async function sign(
  service: string,
  method: string,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  body?: string,
  applyChecksum = true,
): Promise<Omit<IncomingRequest, 'body'>> {
  const signer = new SignatureV4({
    service,
    region: 'us-east-1',
    sha256: Hash.bind(null, 'sha256'),
    credentials,
    uriEscapePath: service !== 's3',
    applyChecksum,
  })
  const signed = await signer.sign(
    new HttpRequest({ method, protocol: 'http:', hostname: '127.0.0.1', port: 4300, path, query, headers: { host, ...headers }, body }),
    {
      signingDate: now,
    },
  )
  const rawQuery = new URLSearchParams(query).toString().replace(/\+/g, '%20')
  return { method, rawPath: path, rawQuery, headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])) }
}

const check = (req: Omit<IncomingRequest, 'body'>, payloadHash: string) => {
  try {
    const info = parseSignature(req)
    if (!info) return 'unsigned'
    verifySignature(req, info, credentials.secretAccessKey, payloadHash, now)
    return 'ok'
  } catch (e) {
    return (e as { code?: string }).code ?? String(e)
  }
}
const sha = (s: string) => createHash('sha256').update(s).digest('hex')

describe('Regression (issue 11, finding 8): verify what the client signed', () => {
  it('a JSON request that does not sign x-amz-content-sha256 verifies over its body', async () => {
    const body = '{"TableName":"t"}'
    const req = await sign('dynamodb', 'POST', '/', {}, { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body, false)
    expect(req.headers['x-amz-content-sha256']).toBeUndefined()
    expect(check(req, sha(body))).toBe('ok')
    expect(check(req, sha(`${body} `))).toBe('SignatureDoesNotMatch')
  })

  it('an S3 request verifies over its signed payload hash, with the query and an odd key', async () => {
    const path = `/b/${encodeURIComponent('us-east-1:abc')}/a%20b%2Bc%3F.txt`
    const req = await sign('s3', 'PUT', path, { partNumber: '1', uploadId: 'u 1' }, { 'x-amz-content-sha256': sha('hi'), 'x-amz-meta-x': 'y  z' })
    expect(check(req, sha('hi'))).toBe('ok')
    expect(check({ ...req, rawPath: path.replace('a%20b', 'a%20c') }, sha('hi'))).toBe('SignatureDoesNotMatch')
    expect(check({ ...req, rawQuery: req.rawQuery.replace('partNumber=1', 'partNumber=2') }, sha('hi'))).toBe('SignatureDoesNotMatch')
    expect(check({ ...req, headers: { ...req.headers, 'x-amz-meta-x': 'other' } }, sha('hi'))).toBe('SignatureDoesNotMatch')
    expect(check(req, 'UNSIGNED-PAYLOAD')).toBe('SignatureDoesNotMatch')
  })

  it('an S3 path sent with characters bare that were signed encoded verifies, as the same key', async () => {
    const req = await sign('s3', 'GET', '/b/us-east-1%3Aabc/%28draft%29%21%20%C3%A9.txt', {}, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })
    expect(check({ ...req, rawPath: '/b/us-east-1:abc/(draft)!%20é.txt' }, 'UNSIGNED-PAYLOAD')).toBe('ok')
    expect(check({ ...req, rawPath: '/b/us-east-1:abc/(draft)!%20e.txt' }, 'UNSIGNED-PAYLOAD')).toBe('SignatureDoesNotMatch')
  })

  it('a presigned URL that hoists or keeps x-amz-* headers verifies', async () => {
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Hash.bind(null, 'sha256'), credentials, uriEscapePath: false })
    // As `@aws-sdk/s3-request-presigner` does: the payload is UNSIGNED-PAYLOAD, its header neither signed nor hoisted.
    for (const unhoistable of [['x-amz-content-sha256'], ['x-amz-content-sha256', 'x-amz-meta-a']]) {
      const presigned = await signer.presign(
        new HttpRequest({
          method: 'PUT',
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: 4300,
          path: '/b/k',
          headers: { host, 'x-amz-meta-a': 'v', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        }),
        { signingDate: now, expiresIn: 60, unhoistableHeaders: new Set(unhoistable), unsignableHeaders: new Set(['x-amz-content-sha256']) },
      )
      const query = presigned.query as Record<string, string>
      const req = {
        method: 'PUT',
        rawPath: '/b/k',
        rawQuery: Object.entries(query)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join('&'),
        headers: Object.fromEntries(Object.entries(presigned.headers).map(([k, v]) => [k.toLowerCase(), v])),
      }
      expect(check(req, 'UNSIGNED-PAYLOAD')).toBe('ok')
      expect(check({ ...req, rawQuery: req.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=61') }, 'UNSIGNED-PAYLOAD')).toBe('SignatureDoesNotMatch')
    }
  })

  it('refuses a signed-header list that leaves out host, is unsorted, or names a missing header', async () => {
    const req = await sign('s3', 'GET', '/b/k', {}, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })
    const auth = req.headers.authorization as string
    const withList = (list: string) => ({ ...req, headers: { ...req.headers, authorization: auth.replace(/SignedHeaders=[^,]+/, `SignedHeaders=${list}`) } })
    expect(check(withList('x-amz-content-sha256;x-amz-date'), 'UNSIGNED-PAYLOAD')).toBe('AccessDenied')
    expect(check(withList('x-amz-date;host;x-amz-content-sha256'), 'UNSIGNED-PAYLOAD')).toBe('SignatureDoesNotMatch')
    expect(check(withList('host;x-amz-content-sha256;x-amz-date;x-amz-meta-missing'), 'UNSIGNED-PAYLOAD')).toBe('SignatureDoesNotMatch')
  })
})
