/**
 * Decodes `aws-chunked` bodies as they stream (what S3 clients send for streamed uploads:
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`) into
 * the bytes the client meant, never holding more than one chunk header in memory. Chunk and
 * trailer signatures are verified against the request's signing key, and trailing checksums
 * against the decoded bytes, before the stream ends: a body that fails either errors instead
 * of ending, so the engine stores nothing.
 * No maintained npm package decodes this framing as a stream, hence this small state machine.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHash, createHmac } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { createDigest, type Digest } from './s3/engine/checksums.js'
import { type ChecksumAlgorithm, S3Error } from './s3/engine/types.js'

/** What a signed chunked body's signatures chain from (see `sigv4.ts`). */
export interface ChunkSigning {
  signingKey: Buffer
  /** The request's own signature: the first chunk's "previous signature". */
  seedSignature: string
  amzDate: string
  scope: string
}

export interface AwsChunkedOptions {
  /** Present for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: every chunk must carry its signature. */
  signing?: ChunkSigning
  /** Trailing headers the client announced in `x-amz-trailer`. */
  trailerNames: string[]
}

const MAX_LINE = 4096
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex')
const TRAILER_CHECKSUMS: Record<string, ChecksumAlgorithm> = {
  'x-amz-checksum-crc32': 'CRC32',
  'x-amz-checksum-crc32c': 'CRC32C',
  'x-amz-checksum-crc64nvme': 'CRC64NVME',
  'x-amz-checksum-sha1': 'SHA1',
  'x-amz-checksum-sha256': 'SHA256',
}

const incomplete = (message: string) => new S3Error('IncompleteBody', message, 400)
const badSignature = () =>
  new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403)

export function createAwsChunkedDecoder(options: AwsChunkedOptions): Transform {
  let state: 'header' | 'data' | 'data-crlf' | 'trailers' | 'done' = 'header'
  let line = Buffer.alloc(0)
  let remaining = 0
  let chunkSignature: string | undefined
  let chunkHash = createHash('sha256')
  let previous = options.signing?.seedSignature ?? ''
  const trailerLines: string[] = []
  const trailers: Record<string, string> = {}
  const digests = new Map<string, Digest>()
  for (const name of options.trailerNames) {
    const algorithm = TRAILER_CHECKSUMS[name]
    if (algorithm) digests.set(name, createDigest(algorithm))
  }

  const sign = (stringToSign: string) => {
    const s = options.signing
    return s ? createHmac('sha256', s.signingKey).update(stringToSign).digest('hex') : ''
  }

  const endChunk = () => {
    const s = options.signing
    if (!s) return
    const expected = sign(['AWS4-HMAC-SHA256-PAYLOAD', s.amzDate, s.scope, previous, EMPTY_SHA256, chunkHash.digest('hex')].join('\n'))
    if (chunkSignature !== expected) throw badSignature()
    previous = expected
  }

  /** Reads up to CRLF; returns the line, or undefined if more bytes are needed. */
  const takeLine = (buf: Buffer, pos: number): { text: string; next: number } | undefined => {
    const end = buf.indexOf('\n', pos)
    const piece = buf.subarray(pos, end < 0 ? buf.length : end + 1)
    line = line.length ? Buffer.concat([line, piece]) : Buffer.from(piece)
    if (line.length > MAX_LINE) throw incomplete('aws-chunked framing line is too long')
    if (end < 0) return undefined
    if (line.length < 2 || line[line.length - 2] !== 0x0d) throw incomplete('aws-chunked framing line does not end in CRLF')
    const text = line.subarray(0, line.length - 2).toString('utf8')
    line = Buffer.alloc(0)
    return { text, next: end + 1 }
  }

  const finish = async () => {
    if (state !== 'done' && state !== 'trailers') throw incomplete('The aws-chunked body ended before its last chunk')
    if (state === 'trailers' && options.trailerNames.length > 0) throw incomplete('The aws-chunked body ended inside its trailers')
    for (const name of options.trailerNames)
      if (trailers[name] === undefined) throw incomplete(`The aws-chunked body announced the trailer ${name} but did not send it`)
    for (const [name, digest] of digests) {
      const actual = (await digest.digest()).toString('base64')
      if (actual !== trailers[name]) throw new S3Error('BadDigest', `The ${name} you specified did not match the calculated checksum.`, 400)
    }
  }

  const process = (buf: Buffer, push: (b: Buffer) => void) => {
    let pos = 0
    while (pos < buf.length) {
      if (state === 'header') {
        const got = takeLine(buf, pos)
        if (!got) return
        pos = got.next
        const [sizeHex = '', ...ext] = got.text.split(';')
        if (!/^[0-9a-fA-F]{1,16}$/.test(sizeHex.trim())) throw incomplete('Bad aws-chunked chunk header')
        remaining = Number.parseInt(sizeHex.trim(), 16)
        chunkSignature = ext.find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length)
        if (options.signing && chunkSignature === undefined) throw badSignature()
        chunkHash = createHash('sha256')
        if (remaining === 0) {
          endChunk()
          // Unsigned-trailer and trailer bodies go on to trailers; a plain signed one is done after its CRLF.
          state = 'trailers'
        } else state = 'data'
      } else if (state === 'data') {
        const take = Math.min(remaining, buf.length - pos)
        const piece = buf.subarray(pos, pos + take)
        chunkHash.update(piece)
        for (const d of digests.values()) d.update(piece)
        push(piece)
        remaining -= take
        pos += take
        if (remaining === 0) state = 'data-crlf'
      } else if (state === 'data-crlf') {
        const got = takeLine(buf, pos)
        if (!got) return
        if (got.text !== '') throw incomplete('aws-chunked chunk is longer than its size says')
        pos = got.next
        endChunk()
        state = 'header'
      } else if (state === 'trailers') {
        const got = takeLine(buf, pos)
        if (!got) return
        pos = got.next
        if (got.text === '') {
          verifyTrailerSignature()
          state = 'done'
          continue
        }
        const colon = got.text.indexOf(':')
        if (colon <= 0) throw incomplete('Bad aws-chunked trailer')
        const name = got.text.slice(0, colon).trim().toLowerCase()
        const value = got.text.slice(colon + 1).trim()
        if (name === 'x-amz-trailer-signature') trailers[name] = value
        else {
          trailers[name] = value
          trailerLines.push(`${name}:${value}\n`)
        }
      } else {
        // Bytes after the final CRLF: nothing S3 would accept.
        if (buf.subarray(pos).some((b) => b !== 0x0d && b !== 0x0a)) throw incomplete('Bytes after the end of the aws-chunked body')
        return
      }
    }
  }

  const verifyTrailerSignature = () => {
    const s = options.signing
    if (!s || options.trailerNames.length === 0) return
    const hash = createHash('sha256').update(trailerLines.join('')).digest('hex')
    const expected = sign(['AWS4-HMAC-SHA256-TRAILER', s.amzDate, s.scope, previous, hash].join('\n'))
    if (trailers['x-amz-trailer-signature'] !== expected) throw badSignature()
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        process(chunk, (b) => this.push(b))
        callback()
      } catch (e) {
        callback(e as Error)
      }
    },
    flush(callback: TransformCallback) {
      finish().then(
        () => callback(),
        (e: Error) => callback(e),
      )
    },
  })
}
