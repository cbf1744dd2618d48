/**
 * Credentials that expire while the app runs (issue 4): refreshed before expiry, refreshed once
 * however many calls wait, and refreshed with a new ID token when the server refuses
 * credentials the SDK believed valid. Two extra local clouds with shortened lifetimes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { type LocalCloud, startLocalCloud } from '@whimsy/local-cloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CloudInfo } from '../../../test/cloud-info.js'
import { sessionOf } from '../src/auth/session-access.js'
import type { WhimsyEvent } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'

const LIFETIME_SECONDS = 3
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function startCloud(options: Parameters<typeof startLocalCloud>[0]): Promise<{ cloud: LocalCloud; info: CloudInfo; dispose: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-refresh-'))
  const cloud = await startLocalCloud({ ...options, dataDir })
  return {
    cloud,
    info: { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir },
    dispose: async () => {
      await cloud.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

function s3With(info: CloudInfo, credentials: S3ClientConfig['credentials']): S3Client {
  return new S3Client({ region: info.config.region, endpoint: info.config.endpoints?.s3, forcePathStyle: true, credentials })
}

describe(`credentials that live ${LIFETIME_SECONDS} s`, () => {
  let shortLived: Awaited<ReturnType<typeof startCloud>>
  beforeAll(async () => {
    shortLived = await startCloud({ credentialLifetimeSeconds: LIFETIME_SECONDS })
  })
  afterAll(() => shortLived?.dispose())

  it('are refreshed before they expire, so calls keep working across several lifetimes', async () => {
    const events: WhimsyEvent[] = []
    const { whimsy } = await signedInWhimsy(shortLived.info, 'refresh', { onEvent: (e) => events.push(e) })
    const s3 = s3With(shortLived.info, sessionOf(whimsy.auth).credentialProvider())
    const key = `${whimsy.auth.user?.identityId}/tick.txt`
    const keys = new Set<string>()
    for (let i = 0; i < 4; i++) {
      await s3.send(new PutObjectCommand({ Bucket: shortLived.info.config.bucket, Key: key, Body: `tick ${i}` }))
      keys.add((await sessionOf(whimsy.auth).credentials()).accessKeyId)
      await sleep(LIFETIME_SECONDS * 500)
    }
    const read = await s3.send(new GetObjectCommand({ Bucket: shortLived.info.config.bucket, Key: key }))
    expect(await read.Body?.transformToString()).toBe('tick 3')
    expect(keys.size).toBeGreaterThanOrEqual(2)
    expect(events.filter((e) => e.type === 'retryExpiredCredentials')).toEqual([])
  })

  it('are fetched once for twenty concurrent calls after expiry', async () => {
    const events: WhimsyEvent[] = []
    const { whimsy } = await signedInWhimsy(shortLived.info, 'concurrent', { onEvent: (e) => events.push(e) })
    const id = whimsy.auth.user?.identityId
    const s3 = s3With(shortLived.info, sessionOf(whimsy.auth).credentialProvider())
    await sleep(LIFETIME_SECONDS * 1000)
    const before = events.filter((e) => e.type === 'credentials').length
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: shortLived.info.config.bucket, Key: `${id}/c${i}.txt`, Body: String(i) }))),
    )
    expect(events.filter((e) => e.type === 'credentials').length - before).toBe(1)
  })
})

describe('credentials the server refuses although they look valid (a client clock running behind)', () => {
  let skewed: Awaited<ReturnType<typeof startCloud>>
  beforeAll(async () => {
    // Really valid 2 s, reported valid for 10 minutes longer.
    skewed = await startCloud({ credentialLifetimeSeconds: 2, reportedExpiryLagSeconds: 600 })
  })
  afterAll(() => skewed?.dispose())

  it('are refreshed with a new ID token and the call is retried once', async () => {
    const events: WhimsyEvent[] = []
    const { whimsy } = await signedInWhimsy(skewed.info, 'skewed', { onEvent: (e) => events.push(e) })
    const id = whimsy.auth.user?.identityId
    await sleep(2500)
    const result = await sessionOf(whimsy.auth).withCredentials((credentials) =>
      s3With(skewed.info, credentials).send(new PutObjectCommand({ Bucket: skewed.info.config.bucket, Key: `${id}/late.txt`, Body: 'still here' })),
    )
    expect(result.ETag).toBeTruthy()
    expect(events.map((e) => e.type)).toEqual(['credentials', 'retryExpiredCredentials', 'tokensRefreshed', 'credentials'])
    expect(events.at(-1)).toMatchObject({ type: 'credentials', forced: true })
  })

  it('also when the refused call is a HEAD, whose error has no body (stat, exists)', async () => {
    const events: WhimsyEvent[] = []
    const { whimsy } = await signedInWhimsy(skewed.info, 'skewed-head', { onEvent: (e) => events.push(e) })
    await whimsy.fs.write('/a.txt', 'a')
    await sleep(2500)
    expect((await whimsy.fs.stat('/a.txt')).size).toBe(1)
    expect(events.map((e) => e.type)).toContain('retryExpiredCredentials')
  })
})
