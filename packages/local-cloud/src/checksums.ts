/**
 * Checks the integrity headers S3 clients send (`Content-MD5`, `x-amz-checksum-*`, a hex
 * `x-amz-content-sha256`) against the bytes that actually arrived, so a body damaged on the
 * way is refused (`BadDigest`) instead of stored.
 */
import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'

export interface ChecksumMismatch {
  code: 'BadDigest' | 'XAmzContentSHA256Mismatch'
  message: string
}

type Digest = (body: Buffer) => string

const crc32Base64: Digest = (body) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(crc32(body) >>> 0)
  return out.toString('base64')
}

/** The algorithms we can check with Node alone; CRC32C and CRC64NVME are passed through unchecked. */
const DIGESTS: Record<string, Digest> = {
  'content-md5': (b) => createHash('md5').update(b).digest('base64'),
  'x-amz-checksum-crc32': crc32Base64,
  'x-amz-checksum-sha1': (b) => createHash('sha1').update(b).digest('base64'),
  'x-amz-checksum-sha256': (b) => createHash('sha256').update(b).digest('base64'),
}

export function checkBodyIntegrity(body: Buffer, headers: Readonly<Record<string, string | undefined>>): ChecksumMismatch | undefined {
  const declaredSha = headers['x-amz-content-sha256']
  if (declaredSha && /^[0-9a-f]{64}$/.test(declaredSha) && createHash('sha256').update(body).digest('hex') !== declaredSha)
    return { code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." }
  for (const [header, digest] of Object.entries(DIGESTS)) {
    const declared = headers[header]
    if (declared !== undefined && digest(body) !== declared)
      return { code: 'BadDigest', message: `The ${header} you specified did not match the calculated checksum.` }
  }
  return undefined
}
