/**
 * Large uploads (issue 5): 50 MB with progress and a byte-for-byte read back, abort that
 * leaves nothing behind, parts whose connection drops, and resuming an interrupted upload of
 * the same File. Dropped connections come from a real proxy that cuts chosen requests.
 */
import { createHash, randomBytes } from 'node:crypto'
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3'
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../../../test/fault-proxy.js'
import { adminS3 } from '../../../test/users.js'
import { createWhimsy, type Progress, type SessionStorage, type Whimsy, WhimsyError } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'

const cloud = inject('cloud')
const MB = 1024 * 1024
const PART = 5 * MB
let whimsy: Whimsy
let storage: SessionStorage
let proxy: FaultProxy | undefined

beforeAll(async () => {
  ;({ whimsy, storage } = await signedInWhimsy(cloud, 'uploader'))
})

afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

async function pendingUploads(): Promise<string[]> {
  const id = whimsy.auth.user?.identityId ?? ''
  const listed = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket: cloud.config.bucket, Prefix: `${id}/` }))
  return (listed.Uploads ?? []).map((u) => u.Key ?? '')
}

/** The same signed-in session, with S3 reached through `s3Endpoint`. */
async function sessionVia(s3Endpoint: string): Promise<Whimsy> {
  const other = createWhimsy({ ...cloud.config, endpoints: { ...cloud.config.endpoints, s3: s3Endpoint } }, { storage })
  await other.auth.ready
  return other
}

function partNumber(url: string | undefined): number | undefined {
  const match = /[?&]partNumber=(\d+)/.exec(url ?? '')
  return match ? Number(match[1]) : undefined
}

describe('large uploads', () => {
  it('uploads 50 MB in parts with progress and reads it back byte for byte', async () => {
    const data = new Uint8Array(randomBytes(50 * MB))
    const progress: Progress[] = []
    const file = new File([data], 'video.bin', { lastModified: 1 })
    const entry = await whimsy.fs.upload('/videos/big.bin', file, { partSize: PART, onProgress: (p) => progress.push(p) })
    expect(entry.size).toBe(50 * MB)
    expect(progress[0]).toEqual({ loaded: 0, total: 50 * MB })
    expect(progress.at(-1)).toEqual({ loaded: 50 * MB, total: 50 * MB })
    expect(progress.length).toBe(11)
    for (let i = 1; i < progress.length; i++) expect(progress[i]?.loaded).toBeGreaterThan(progress[i - 1]?.loaded ?? 0)

    const downloads: Progress[] = []
    const back = await whimsy.fs.read('/videos/big.bin', { onProgress: (p) => downloads.push(p) })
    expect(back.byteLength).toBe(data.byteLength)
    expect(sha256(back)).toBe(sha256(data))
    expect(downloads.at(-1)).toEqual({ loaded: 50 * MB, total: 50 * MB })
    expect(downloads.length).toBeGreaterThan(2)
    expect(await pendingUploads()).toEqual([])
  }, 120_000)

  it('aborted midway leaves no object and no pending multipart upload', async () => {
    const data = new Uint8Array(randomBytes(40 * MB))
    const stop = new AbortController()
    const upload = whimsy.fs.upload('/videos/aborted.bin', data, {
      partSize: PART,
      concurrency: 2,
      signal: stop.signal,
      onProgress: ({ loaded }) => {
        if (loaded >= 2 * PART) stop.abort()
      },
    })
    const error = await upload.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WhimsyError)
    expect((error as WhimsyError).code).toBe('Aborted')
    expect(await whimsy.fs.exists('/videos/aborted.bin')).toBe(false)
    expect(await pendingUploads()).toEqual([])
  }, 60_000)

  it('completes byte-identical when the connection drops for a few parts', async () => {
    const cut = new Set([2, 4, 5])
    proxy = await startFaultProxy(cloud.urls.api, (req) => {
      const n = partNumber(req.url)
      if (n === undefined || !cut.has(n)) return false
      cut.delete(n) // each of these parts loses its first attempt only
      return true
    })
    const flaky = await sessionVia(proxy.url)
    const data = new Uint8Array(randomBytes(6 * PART + 123))
    await flaky.fs.upload('/videos/flaky.bin', data, { partSize: PART })
    expect(proxy.dropped).toBe(3)
    expect(sha256(await whimsy.fs.read('/videos/flaky.bin'))).toBe(sha256(data))
    expect(await pendingUploads()).toEqual([])
  }, 60_000)

  it('resumes an interrupted upload of the same File, sending only the missing parts', async () => {
    // The network goes away for good after part 3.
    proxy = await startFaultProxy(cloud.urls.api, (req) => (partNumber(req.url) ?? 0) > 3)
    const offline = await sessionVia(proxy.url)
    const data = new Uint8Array(randomBytes(7 * PART))
    const file = new File([data], 'holiday.mov', { lastModified: 1_700_000_000_000 })
    const failed = await offline.fs.upload('/videos/holiday.mov', file, { partSize: PART, concurrency: 1 }).catch((e: unknown) => e)
    expect((failed as WhimsyError).code).toBe('Network')
    expect(await pendingUploads()).toContain(`${whimsy.auth.user?.identityId}/videos/holiday.mov`)

    // Back online (a new page, same browser storage): the same File resumes at part 4.
    const online = await sessionVia(cloud.urls.api)
    const progress: Progress[] = []
    await online.fs.upload('/videos/holiday.mov', file, { partSize: PART, onProgress: (p) => progress.push(p) })
    expect(progress[0]).toEqual({ loaded: 3 * PART, total: 7 * PART })
    expect(progress.length).toBe(5) // the starting point, then parts 4–7
    expect(sha256(await whimsy.fs.read('/videos/holiday.mov'))).toBe(sha256(data))
    expect(await pendingUploads()).toEqual([])
  }, 120_000)

  it('retries a read whose connection drops, and says Network when the service is unreachable', async () => {
    await whimsy.fs.write('/small/read-me.txt', 'survives a dropped connection')
    let cut = false
    proxy = await startFaultProxy(cloud.urls.api, (req) => {
      if (cut || req.method !== 'GET' || !req.url?.includes('read-me.txt')) return false
      cut = true
      return true
    })
    const flaky = await sessionVia(proxy.url)
    expect(await flaky.fs.readText('/small/read-me.txt')).toBe('survives a dropped connection')
    expect(proxy.dropped).toBe(1)

    const unreachable = await sessionVia('http://127.0.0.1:9')
    const error = await unreachable.fs.readText('/small/read-me.txt').catch((e: unknown) => e)
    expect((error as WhimsyError).code).toBe('Network')
    expect((error as WhimsyError).message).toMatch(/could not reach/i)
  })
})

describe('cancelling and leaving', () => {
  it('aborts a stream upload of unknown length: no object, no pending upload', async () => {
    const { whimsy: w } = await signedInWhimsy(cloud, 'streamer')
    const stop = new AbortController()
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= 12 * MB) stop.abort()
        if (sent >= 40 * MB) return controller.close()
        sent += MB
        await new Promise((r) => setTimeout(r, 5))
        controller.enqueue(new Uint8Array(MB).fill(7))
      },
    })
    const error = await w.fs.write('/streams/cancelled.bin', stream, { signal: stop.signal, partSize: PART }).catch((e: unknown) => e)
    expect((error as WhimsyError).code).toBe('Aborted')
    expect(await w.fs.exists('/streams/cancelled.bin')).toBe(false)
    const id = w.auth.user?.identityId ?? ''
    const listed = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket: cloud.config.bucket, Prefix: `${id}/` }))
    expect(listed.Uploads ?? []).toEqual([])
  }, 60_000)

  it('deleting the account also aborts the parts of an interrupted upload', async () => {
    const { whimsy: w, storage: s } = await signedInWhimsy(cloud, 'quitter')
    const id = w.auth.user?.identityId ?? ''
    proxy = await startFaultProxy(cloud.urls.api, (req) => (partNumber(req.url) ?? 0) > 1)
    const offline = createWhimsy({ ...cloud.config, endpoints: { ...cloud.config.endpoints, s3: proxy.url } }, { storage: s })
    await offline.auth.ready
    const file = new File([new Uint8Array(4 * PART)], 'draft.mov', { lastModified: 5 })
    expect(await offline.fs.upload('/draft.mov', file, { partSize: PART, concurrency: 1 }).catch((e: WhimsyError) => e.code)).toBe('Network')
    const before = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket: cloud.config.bucket, Prefix: `${id}/` }))
    expect(before.Uploads?.length).toBe(1)
    await w.auth.deleteAccount({ password: 'correct-horse-42' })
    const after = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket: cloud.config.bucket, Prefix: `${id}/` }))
    expect(after.Uploads ?? []).toEqual([])
  }, 60_000)
})
