/**
 * Decodes `Content-Encoding: aws-chunked` bodies (what the AWS SDK sends for streamed uploads
 * with its default checksums) into the bytes the client meant, plus the trailing headers.
 * Gap: s3rver 3.7.1 stores the framing itself (300,054 bytes for a 300,000-byte body).
 * No maintained npm package decodes this framing, hence this small parser.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */

export interface DecodedChunks {
  body: Buffer
  /** Trailing headers, lower-cased (e.g. `x-amz-checksum-crc32`). */
  trailers: Record<string, string>
}

export class ChunkedEncodingError extends Error {}

export function decodeAwsChunked(encoded: Buffer): DecodedChunks {
  const parts: Buffer[] = []
  let pos = 0
  const readLine = (): string => {
    const end = encoded.indexOf('\r\n', pos)
    if (end < 0) throw new ChunkedEncodingError('aws-chunked body ends inside a chunk header')
    const line = encoded.subarray(pos, end).toString('latin1')
    pos = end + 2
    return line
  }
  for (;;) {
    const header = readLine()
    const size = Number.parseInt(header.split(';')[0] ?? '', 16)
    if (!Number.isFinite(size) || size < 0) throw new ChunkedEncodingError(`Bad aws-chunked chunk header: ${header.slice(0, 40)}`)
    if (size === 0) break
    if (pos + size + 2 > encoded.length) throw new ChunkedEncodingError('aws-chunked body is shorter than its chunk sizes say')
    parts.push(encoded.subarray(pos, pos + size))
    pos += size
    if (encoded.toString('latin1', pos, pos + 2) !== '\r\n') throw new ChunkedEncodingError('aws-chunked chunk is not followed by CRLF')
    pos += 2
  }
  const trailers: Record<string, string> = {}
  while (pos < encoded.length) {
    const line = readLine()
    if (line === '') break
    const colon = line.indexOf(':')
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { body: Buffer.concat(parts), trailers }
}
