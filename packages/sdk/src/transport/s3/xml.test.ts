import { describe, expect, it } from 'vitest'
import { s3Error } from './errors.js'
import { ListObjectsV2Command } from './objects.js'
import { childrenNamed, escapeXml, parseXml, textOf, unescapeXml } from './xml.js'

const answer = (text: string, status = 200) => ({ status, headers: new Headers(), text, body: null })

describe('the S3 XML reader', () => {
  it('resolves the five entities and numeric references, and leaves unknown ones as written', () => {
    expect(unescapeXml('&amp;&lt;&gt;&quot;&apos; &#233;&#xE9;&#x1F600; &nbsp;')).toBe('&<>"\' éé\u{1F600} &nbsp;')
    expect(unescapeXml('&amp;lt;')).toBe('&lt;') // escaped once, unescaped once
  })

  it('reads back every key it escapes: &<>"\' and non-ASCII', () => {
    for (const key of ['a&b<c>d"e\'f', 'café/naïve ☕/日本語', 'cafe\u0301', '\u{1F600}.txt', '&amp;', ' lead and trail ', '']) {
      const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<Delete><Object><Key>${escapeXml(key)}</Key></Object></Delete>`)
      expect(textOf(childrenNamed(root, 'Object')[0], 'Key')).toBe(key)
    }
  })

  it('reads a listing with namespaces, CDATA and comments; an empty listing has no entries', () => {
    const listing = new ListObjectsV2Command({ Bucket: 'b' }).parse(
      answer(`<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><!-- a comment -->
  <Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
  <EncodingType>url</EncodingType><NextContinuationToken>tok&amp;en</NextContinuationToken>
  <Contents><Key>p/a%26b.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>5</Size></Contents>
  <Contents><Key><![CDATA[p/<raw>]]></Key><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes>
</ListBucketResult>`),
    )
    expect(listing).toMatchObject({
      IsTruncated: true,
      KeyCount: 2,
      EncodingType: 'url',
      NextContinuationToken: 'tok&en',
      Contents: [
        { Key: 'p/a%26b.txt', Size: 5, ETag: '"abc"', LastModified: new Date('2026-01-02T03:04:05.000Z') },
        { Key: 'p/<raw>', Size: 0 },
      ],
      CommonPrefixes: [{ Prefix: 'p/sub/' }],
    })
    const empty = new ListObjectsV2Command({ Bucket: 'b' }).parse(
      answer('<ListBucketResult><Name>b</Name><Prefix/><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>'),
    )
    expect(empty).toMatchObject({ Contents: [], CommonPrefixes: [], IsTruncated: false, KeyCount: 0 })
  })

  it('refuses broken markup with a SyntaxError', () => {
    expect(() => parseXml('<A><B></A>')).toThrow(SyntaxError)
    expect(() => parseXml('<A>')).toThrow(SyntaxError)
    expect(() => parseXml('not xml')).toThrow(SyntaxError)
  })
})

describe('S3 errors', () => {
  it('are named by the Code of their body, as the AWS SDK names them', () => {
    const e = s3Error(412, new Headers({ 'x-amz-request-id': 'r1' }), '<Error><Code>PreconditionFailed</Code><Message>At least one…</Message></Error>')
    expect(e).toMatchObject({
      name: 'PreconditionFailed',
      Code: 'PreconditionFailed',
      message: 'At least one…',
      $metadata: { httpStatusCode: 412, requestId: 'r1' },
    })
  })

  it('without a body (HEAD) are named by their status', () => {
    expect(s3Error(404, new Headers(), '')).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } })
    expect(s3Error(403, new Headers(), '')).toMatchObject({ name: 'Forbidden' })
    expect(s3Error(503, new Headers(), '<html>busy</html>')).toMatchObject({ name: 'InternalError', $fault: 'server' })
  })
})
