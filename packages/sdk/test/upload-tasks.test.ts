/**
 * Issue 12, "Missing": uploads as tasks with pause(), resume() and cancel(), as Amplify v6's
 * uploadData. Part requests are counted by a real proxy in front of the local cloud.
 */
import { createHash, randomBytes } from 'node:crypto'
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3'
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../../../test/fault-proxy.js'
import { adminS3 } from '../../../test/users.js'
import { createWhimsy, type Progress, type SessionStorage, type Whimsy } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'
import { errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')
const MB = 1024 * 1024
const PART = 5 * MB
let whimsy: Whimsy
let storage: SessionStorage
let proxy: FaultProxy | undefined

beforeAll(async () => {
  ;({ whimsy, storage } = await signedInWhimsy(cloud, 'tasks'))
})

afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

/** A promise and the function that resolves it (Node 20 has no Promise.withResolvers). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

async function pendingUploads(): Promise<string[]> {
  const id = whimsy.auth.user?.identityId ?? ''
  const listed = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket: cloud.config.bucket, Prefix: `${id}/` }))
  return (listed.Uploads ?? []).map((u) => u.Key?.slice(id.length) ?? '')
}

/** The same session with S3 reached through a proxy that records each part number sent. */
async function countingSession(): Promise<{ via: Whimsy; parts: number[] }> {
  const parts: number[] = []
  proxy = await startFaultProxy(cloud.urls.api, (req) => {
    const match = /[?&]partNumber=(\d+)/.exec(req.url ?? '')
    if (match && req.method === 'PUT') parts.push(Number(match[1]))
    return false
  })
  const via = createWhimsy({ ...cloud.config, endpoints: { ...cloud.config.endpoints, s3: proxy.url } }, { storage })
  await via.auth.ready
  return { via, parts }
}

describe('Issue 12: uploads as tasks', () => {
  it('Issue 12: upload task pause() keeps the parts sent and resume() continues without sending them again', async () => {
    const { via, parts } = await countingSession()
    const data = new Uint8Array(randomBytes(4 * PART))
    const progress: Progress[] = []
    const { promise: paused, resolve: onPaused } = signal()
    const task = via.fs.upload('/tasks/paused.bin', data, {
      partSize: PART,
      concurrency: 1,
      onProgress: (p) => {
        progress.push(p)
        // Once: resuming reports its starting point, PART, again.
        if (p.loaded === PART && progress.length === 2) {
          task.pause()
          onPaused()
        }
      },
    })
    await paused
    expect(task.state).toBe('paused')
    expect(task.progress).toEqual({ loaded: PART, total: 4 * PART })
    // The multipart upload is still open on the server, holding part 1.
    expect(await pendingUploads()).toEqual(['/tasks/paused.bin'])
    expect(parts).toEqual([1])
    task.resume()
    const entry = await task
    expect(task.state).toBe('done')
    expect(await task.done).toBe(entry)
    expect(entry.size).toBe(4 * PART)
    expect(parts.sort()).toEqual([1, 2, 3, 4])
    expect(progress.at(-1)).toEqual({ loaded: 4 * PART, total: 4 * PART })
    expect(sha256(await whimsy.fs.read('/tasks/paused.bin'))).toBe(sha256(data))
    expect(await pendingUploads()).toEqual([])
  }, 120_000)

  it('Issue 12: upload task cancel() while paused aborts the multipart upload; the task rejects with Aborted', async () => {
    const data = new Uint8Array(randomBytes(4 * PART))
    const { promise: paused, resolve: onPaused } = signal()
    const task = whimsy.fs.upload('/tasks/cancelled.bin', data, {
      partSize: PART,
      concurrency: 1,
      onProgress: (p) => {
        if (p.loaded === PART && task.state === 'running') {
          task.pause()
          onPaused()
        }
      },
    })
    await paused
    expect(task.state).toBe('paused')
    expect(await pendingUploads()).toEqual(['/tasks/cancelled.bin'])
    task.cancel()
    expect((await errorOf(task)).code).toBe('Aborted')
    expect(task.state).toBe('cancelled')
    expect(await pendingUploads()).toEqual([])
    expect(await whimsy.fs.exists('/tasks/cancelled.bin')).toBe(false)
  }, 120_000)

  it('Issue 12: upload task cancel() while running removes the parts sent', async () => {
    const data = new Uint8Array(randomBytes(4 * PART))
    const task = whimsy.fs.upload('/tasks/stopped.bin', data, {
      partSize: PART,
      concurrency: 2,
      onProgress: (p) => {
        if (p.loaded >= PART) task.cancel()
      },
    })
    expect((await errorOf(task)).code).toBe('Aborted')
    expect(task.state).toBe('cancelled')
    expect(await pendingUploads()).toEqual([])
    expect(await whimsy.fs.exists('/tasks/stopped.bin')).toBe(false)
  }, 120_000)

  it('Issue 12: a small upload paused before it is sent is sent whole on resume', async () => {
    const task = whimsy.fs.upload('/tasks/small.txt', new TextEncoder().encode('small'))
    task.pause()
    expect(task.state).toBe('paused')
    task.resume()
    expect((await task).size).toBe(5)
    expect(await whimsy.fs.readText('/tasks/small.txt')).toBe('small')
  })

  it('Issue 12: a stream upload cannot pause (InvalidInput), and still completes', async () => {
    const stream = new Blob(['streamed']).stream()
    const task = whimsy.fs.upload('/tasks/stream.txt', stream)
    expect(() => task.pause()).toThrow(/fs\.upload: a stream upload cannot pause/)
    await task
    expect(await whimsy.fs.readText('/tasks/stream.txt')).toBe('streamed')
  })

  it('Issue 12: the caller’s signal cancels the task too', async () => {
    const stop = new AbortController()
    stop.abort()
    const task = whimsy.fs.upload('/tasks/never.txt', new Uint8Array(3), { signal: stop.signal })
    expect((await errorOf(task)).code).toBe('Aborted')
    expect(await whimsy.fs.exists('/tasks/never.txt')).toBe(false)
  })
})
