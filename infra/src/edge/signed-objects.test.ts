/**
 * The edge's signed reads against the local cloud's gateway, which verifies SigV4 as S3 does:
 * what the origin-response step reads (404.html, dir/index.html) arrives, keys with spaces and
 * non-ASCII included, and a wrong signature gets nothing.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { BUCKET_DOMAIN, originResponse } from '../../../packages/subdomain-proxy/test/fixtures/cloudfront.js'
import { createUser, type TestUser } from '../../../test/users.js'
import { signedObjects } from './signed-objects.js'
import { createSitesOriginHandler } from './sites-origin.js'

const cloud = inject('cloud')
let user: TestUser
const put = (path: string, Body: string, ContentType = 'text/html') =>
  user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/${path}`, Body, ContentType }))
const objects = (secretAccessKey?: string) =>
  signedObjects({
    baseUrl: `${cloud.config.endpoints?.s3}/${cloud.config.bucket}`,
    region: cloud.config.region,
    credentials: () => (secretAccessKey ? { ...user.credentials, secretAccessKey } : user.credentials),
  })

beforeAll(async () => {
  user = await createUser(cloud, 'edge')
  await put('public/404.html', 'lost here')
  await put('public/docs/index.html', 'docs')
  await put('public/a b/ünï.html', 'odd name')
})

describe('signed reads of public pages', () => {
  it('reads and heads what exists, and answers null for what does not', async () => {
    const got = await objects().get(`${user.identityId}/public/404.html`)
    expect(got && new TextDecoder().decode(got.body as Uint8Array)).toBe('lost here')
    expect(got?.meta).toMatchObject({ size: 9, contentType: 'text/html' })
    expect(await objects().head(`${user.identityId}/public/docs/index.html`)).toMatchObject({ size: 4 })
    expect(await objects().head(`${user.identityId}/public/nothing.html`)).toBeNull()
  })

  it('signs keys with spaces and non-ASCII as S3 reads them', async () => {
    expect(await objects().head(`${user.identityId}/public/a b/ünï.html`)).toMatchObject({ size: 8 })
  })

  it('a wrong signature reads nothing', async () => {
    expect(await objects('not-the-secret').get(`${user.identityId}/public/404.html`)).toBeNull()
  })

  it("the origin-response step serves the site's own 404.html through them", async () => {
    const handler = createSitesOriginHandler(
      { sitesDomain: 'whimsy.space', handlesApi: 'https://handles.example.com' },
      {
        lookupHandle: async () => user.identityId,
        objectsFor: (domain) => {
          expect(domain).toBe(BUCKET_DOMAIN)
          return objects()
        },
      },
    )
    const out = await handler(originResponse(`/${encodeURIComponent(user.identityId)}/public/gone.html`, 403))
    expect(out).toMatchObject({ status: '404', body: 'lost here' })
  })
})
