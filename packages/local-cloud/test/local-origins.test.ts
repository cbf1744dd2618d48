/**
 * What other origins' pages can reach on the local cloud (review of issue 7): the mailbox,
 * which holds every local user's codes, is readable by no other origin's script, and users'
 * files opened from the API endpoint run sandboxed, never as the API's origin.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { describe, expect, inject, it } from 'vitest'
import { createUser } from '../../../test/users.js'

const cloud = inject('cloud')

describe('local origins', () => {
  it('gives the mailbox no CORS, while the AWS endpoints keep theirs', async () => {
    const origin = 'http://evil.localhost:4302'
    const mailbox = await fetch(cloud.urls.mailbox, { headers: { origin } })
    expect(mailbox.status).toBe(200)
    expect(mailbox.headers.get('access-control-allow-origin')).toBeNull()
    const config = await fetch(cloud.urls.config, { headers: { origin } })
    expect(config.headers.get('access-control-allow-origin')).toBe(origin)
  })

  it('serves objects sandboxed and unsniffed from the API endpoint', async () => {
    const user = await createUser(cloud, 'origins')
    const Key = `${user.identityId}/public/page.html`
    await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key, Body: '<script>fetch("/_whimsy/mailbox")</script>', ContentType: 'text/html' }))
    const page = await fetch(`${cloud.urls.api}/${cloud.config.bucket}/${encodeURIComponent(user.identityId)}/public/page.html`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe('sandbox')
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
  })
})
