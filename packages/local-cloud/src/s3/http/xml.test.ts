/** S3's XML both ways: request bodies as every client writes them, answers as S3 writes them. */
import { describe, expect, it } from 'vitest'
import { S3Error } from '../engine/types.js'
import { errorXml, escapeXml, listObjectsXml, parseCompleteUpload, parseDeleteObjects, urlEncodeKey } from './xml.js'

const code = (f: () => unknown) => {
  try {
    f()
    return 'ok'
  } catch (e) {
    return e instanceof S3Error ? e.code : String(e)
  }
}

describe('request bodies', () => {
  it('CompleteMultipartUpload as Go writes it (quotes as &#34;), with a namespace', () => {
    const body =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&#34;abc&#34;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>"def"</ETag><PartNumber>2</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>'
    expect(parseCompleteUpload(body)).toEqual([
      { partNumber: 1, etag: '"abc"', checksum: undefined },
      { partNumber: 2, etag: '"def"', checksum: 'AAAAAA==' },
    ])
  })

  it('DeleteObjects keeps spaces, entities and character references in keys exactly', () => {
    const body =
      '<Delete><Quiet>true</Quiet><Object><Key> a.txt </Key></Object><Object><Key>a&amp;#34;b &#x41;&#60;</Key><VersionId>v1</VersionId></Object></Delete>'
    expect(parseDeleteObjects(body)).toEqual({
      quiet: true,
      entries: [
        { key: ' a.txt ', versionId: undefined, ifMatch: undefined },
        { key: 'a&#34;b A<', versionId: 'v1', ifMatch: undefined },
      ],
    })
  })

  it('Regression (issue 11, finding 11): DeleteObjects takes 1 to 1,000 keys, else MalformedXML', () => {
    const of = (n: number) => `<Delete>${'<Object><Key>k</Key></Object>'.repeat(n)}</Delete>`
    expect(code(() => parseDeleteObjects(of(1000)))).toBe('ok')
    expect(code(() => parseDeleteObjects(of(1001)))).toBe('MalformedXML')
    expect(code(() => parseDeleteObjects(of(0)))).toBe('MalformedXML')
    expect(code(() => parseDeleteObjects('<Delete><Object><Key>'))).toBe('MalformedXML')
    expect(code(() => parseDeleteObjects('not xml at all'))).toBe('MalformedXML')
  })
})

describe('answers', () => {
  it('escapes what XML 1.0 cannot carry literally', () => {
    expect(escapeXml('a<b>&"\'\u0001\r')).toBe('a&lt;b&gt;&amp;&quot;&apos;&#x1;&#xD;')
  })

  it('error bodies carry a RequestId and the details', () => {
    const xml = errorXml('NoSuchKey', 'The specified key does not exist.', 'REQ1', { Key: 'a<b' })
    expect(xml).toContain('<Code>NoSuchKey</Code>')
    expect(xml).toContain('<Key>a&lt;b</Key>')
    expect(xml).toContain('<RequestId>REQ1</RequestId>')
  })

  it('Regression (issue 11, finding 11): KeyCount counts common prefixes; encoding-type=url encodes keys and prefixes', () => {
    const version = {
      bucket: 'b',
      key: 'p/a b+c',
      versionId: 'null',
      isDeleteMarker: false,
      isLatest: true,
      etag: '"e"',
      size: 1,
      lastModified: new Date(0),
      headers: { metadata: {} },
    }
    const xml = listObjectsXml({
      version: 2,
      bucket: 'b',
      prefix: 'p/',
      delimiter: '/',
      maxKeys: 2,
      encode: true,
      fetchOwner: false,
      nextContinuationToken: 'dG9rZW4=',
      result: { objects: [version], commonPrefixes: ['p/d ir/'], isTruncated: true, lastReturned: 'p/d ir/' },
    })
    expect(xml).toContain('<KeyCount>2</KeyCount>')
    expect(xml).toContain('<Key>p/a%20b%2Bc</Key>')
    expect(xml).toContain('<Prefix>p/d%20ir/</Prefix>')
    expect(xml).toContain('<EncodingType>url</EncodingType>')
    expect(xml).toContain('<NextContinuationToken>dG9rZW4=</NextContinuationToken>')
    expect(decodeURIComponent(urlEncodeKey('é/?#%&+ x'))).toBe('é/?#%&+ x')
  })
})
