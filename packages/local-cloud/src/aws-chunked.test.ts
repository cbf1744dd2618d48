/**
 * The streaming aws-chunked decoder (issue 11, finding 5): AWS's own worked example of a signed
 * chunked upload decodes and verifies, fed in any split; a changed byte, a missing chunk or a
 * wrong trailing checksum errors before the stream ends, so nothing would be stored.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html (the example's values)
 */
import { createHmac } from 'node:crypto'
import { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { createAwsChunkedDecoder } from './aws-chunked.js'

const key = () => {
  let k: Buffer = createHmac('sha256', 'AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').update('20130524').digest()
  for (const part of ['us-east-1', 's3', 'aws4_request']) k = createHmac('sha256', k).update(part).digest()
  return k
}
const signing = () => ({
  signingKey: key(),
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
})
const example = () =>
  Buffer.concat([
    Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
    Buffer.alloc(65536, 'a'),
    Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
    Buffer.alloc(1024, 'a'),
    Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
  ])

function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size))
  return out
}

async function decode(input: Buffer[], options: Parameters<typeof createAwsChunkedDecoder>[0]): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of Readable.from(input).pipe(createAwsChunkedDecoder(options))) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  )

describe('Regression (issue 11, finding 5): aws-chunked bodies decode as a stream', () => {
  for (const size of [1, 7, 4096, 70_000]) {
    it(`AWS's signed example, in ${size}-byte pieces`, async () => {
      const out = await decode(pieces(example(), size), { signing: signing(), trailerNames: [] })
      expect(out.equals(Buffer.alloc(66560, 'a'))).toBe(true)
    })
  }

  it('a changed byte is SignatureDoesNotMatch', async () => {
    const tampered = example()
    tampered[200] = 0x62
    expect(await codeOf(decode([tampered], { signing: signing(), trailerNames: [] }))).toBe('SignatureDoesNotMatch')
  })

  it('a dropped final chunk is IncompleteBody', async () => {
    const cut = example().subarray(0, example().length - 90)
    expect(await codeOf(decode([cut], { signing: signing(), trailerNames: [] }))).toBe('IncompleteBody')
  })

  it('an unsigned body with a trailing CRC32 checks it', async () => {
    const data = Buffer.from('hello, world')
    const sum = Buffer.alloc(4)
    sum.writeUInt32BE(crc32(data) >>> 0)
    const body = (value: string) => [Buffer.from(`c\r\n${data}\r\n0\r\nx-amz-checksum-crc32:${value}\r\n\r\n`)]
    expect((await decode(body(sum.toString('base64')), { trailerNames: ['x-amz-checksum-crc32'] })).toString()).toBe('hello, world')
    expect(await codeOf(decode(body('AAAAAA=='), { trailerNames: ['x-amz-checksum-crc32'] }))).toBe('BadDigest')
    expect(await codeOf(decode([Buffer.from('c\r\nhello, world\r\n0\r\n\r\n')], { trailerNames: ['x-amz-checksum-crc32'] }))).toBe('IncompleteBody')
  })

  it('a chunk longer than its size says is IncompleteBody', async () => {
    expect(await codeOf(decode([Buffer.from('3\r\nabcd\r\n0\r\n\r\n')], { trailerNames: [] }))).toBe('IncompleteBody')
  })
})
