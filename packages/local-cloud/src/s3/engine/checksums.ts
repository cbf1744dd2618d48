/**
 * The digests S3 computes over a body while it streams: MD5 (the ETag), the hex SHA-256 of
 * SigV4, and the flexible checksums. CRC32 is Node's `zlib.crc32`; CRC32C and CRC64NVME are
 * the AWS SDK's own pure-JS implementations (`@aws-sdk/checksums/crc`), so the values match
 * what the SDK sends byte for byte.
 */
import { createHash, type Hash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc'
import { type BodyIntegrity, type ChecksumAlgorithm, S3Error } from './types.js'

export interface Digest {
  update(chunk: Buffer): void
  /** The raw digest bytes (S3 sends them base64). */
  digest(): Promise<Buffer>
}

class NodeHash implements Digest {
  private readonly hash: Hash
  constructor(name: string) {
    this.hash = createHash(name)
  }
  update(chunk: Buffer) {
    this.hash.update(chunk)
  }
  async digest() {
    return this.hash.digest()
  }
}

class Crc32 implements Digest {
  private value = 0
  update(chunk: Buffer) {
    this.value = crc32(chunk, this.value)
  }
  async digest() {
    const out = Buffer.alloc(4)
    out.writeUInt32BE(this.value >>> 0)
    return out
  }
}

class SdkCrc implements Digest {
  constructor(private readonly impl: { update(data: Uint8Array): void; digest(): Promise<Uint8Array> }) {}
  update(chunk: Buffer) {
    this.impl.update(chunk)
  }
  async digest() {
    return Buffer.from(await this.impl.digest())
  }
}

export function createDigest(algorithm: ChecksumAlgorithm): Digest {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32()
    case 'CRC32C':
      return new SdkCrc(new Crc32cJs())
    case 'CRC64NVME':
      return new SdkCrc(new Crc64NvmeJs())
    case 'SHA1':
      return new NodeHash('sha1')
    case 'SHA256':
      return new NodeHash('sha256')
  }
}

export const DIGEST_LENGTH: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 }

/** Base64 of `algorithm` over `data`. */
export async function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): Promise<string> {
  const digest = createDigest(algorithm)
  digest.update(data)
  return (await digest.digest()).toString('base64')
}

/** A checksum value S3 would accept: base64 of exactly the algorithm's digest length. */
export function isChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === DIGEST_LENGTH[algorithm]
}

export interface BodyDigests {
  size: number
  md5: Buffer
  checksum: { algorithm: ChecksumAlgorithm; value: string }
}

/**
 * Everything one body is hashed with: MD5 always, SHA-256 when the client declared it, and
 * one flexible checksum (the declared one, or CRC64NVME, S3's default since 2025).
 */
export class BodyHasher {
  size = 0
  private readonly md5 = createHash('md5')
  private readonly sha256: Hash | undefined
  private readonly algorithm: ChecksumAlgorithm
  private readonly checksum: Digest
  private readonly integrity: BodyIntegrity

  constructor(integrity: BodyIntegrity) {
    this.integrity = integrity
    this.sha256 = integrity.sha256Hex ? createHash('sha256') : undefined
    this.algorithm = integrity.checksum?.algorithm ?? 'CRC64NVME'
    this.checksum = createDigest(this.algorithm)
    checkDeclaredForm(integrity)
  }

  update(chunk: Buffer): void {
    this.size += chunk.length
    if (this.integrity.expectedLength !== undefined && this.size > this.integrity.expectedLength) throw incompleteBody()
    this.md5.update(chunk)
    this.sha256?.update(chunk)
    this.checksum.update(chunk)
  }

  /** Verifies every declared value; throws the S3 error for the first mismatch. */
  async finish(): Promise<BodyDigests> {
    const { integrity } = this
    if (integrity.expectedLength !== undefined && this.size !== integrity.expectedLength) throw incompleteBody()
    const md5 = this.md5.digest()
    if (this.sha256 && this.sha256.digest('hex') !== integrity.sha256Hex?.toLowerCase())
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400)
    if (integrity.contentMd5 !== undefined && md5.toString('base64') !== integrity.contentMd5)
      throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400)
    const value = (await this.checksum.digest()).toString('base64')
    if (integrity.checksum?.value !== undefined && integrity.checksum.value !== value)
      throw new S3Error('BadDigest', `The ${this.algorithm} you specified did not match the calculated checksum.`, 400)
    return { size: this.size, md5, checksum: { algorithm: this.algorithm, value } }
  }
}

function checkDeclaredForm(integrity: BodyIntegrity): void {
  if (integrity.contentMd5 !== undefined && !isChecksumValueOfLength(integrity.contentMd5, 16))
    throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400)
  const declared = integrity.checksum
  if (declared?.value !== undefined && !isChecksumValue(declared.algorithm, declared.value))
    throw new S3Error('InvalidRequest', `Value for x-amz-checksum-${declared.algorithm.toLowerCase()} header is invalid.`, 400)
  if (integrity.sha256Hex !== undefined && !/^[0-9a-fA-F]{64}$/.test(integrity.sha256Hex))
    throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a valid sha256 value.', 400)
}

function isChecksumValueOfLength(value: string, length: number): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === length
}

export function incompleteBody(): S3Error {
  return new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.', 400)
}

/** `"<md5 of the concatenated binary part MD5s>-<count>"`, S3's multipart ETag. */
export function multipartEtag(partEtags: string[]): string {
  const md5 = createHash('md5')
  for (const etag of partEtags) md5.update(Buffer.from(unquote(etag), 'hex'))
  return `"${md5.digest('hex')}-${partEtags.length}"`
}

/** A composite checksum: the algorithm over the concatenated raw part checksums, then `-<count>`. */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): Promise<string> {
  const digest = createDigest(algorithm)
  for (const value of partChecksums) digest.update(Buffer.from(value, 'base64'))
  return `${(await digest.digest()).toString('base64')}-${partChecksums.length}`
}

export function unquote(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
}
