/**
 * One retry policy (issue 12), for files: a conditional write (`ifNoneMatch`, `ifMatch`, a copy
 * without overwrite) that committed but whose answer was lost must not come back from the retry
 * as a false Conflict. A proxy in front of the local cloud forwards the write, lets it commit,
 * and cuts the connection before the answer reaches the SDK (as kv-lost-answer.test.ts does).
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Whimsy } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'

const cloud = inject('cloud')
let proxy: Server
let whimsy: Whimsy
/** Which request's answer to swallow next (once). */
let loseNext: ((req: IncomingMessage) => boolean) | undefined
let lost = 0

const conditionalPut = (req: IncomingMessage) => req.method === 'PUT' && (req.headers['if-none-match'] !== undefined || req.headers['if-match'] !== undefined)

beforeAll(async () => {
  const target = new URL(cloud.config.endpoints?.s3 ?? cloud.urls.api)
  proxy = createServer((req, res) => {
    const lose = loseNext?.(req) === true
    if (lose) loseNext = undefined
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (lose) {
        lost++
        answer.resume()
        answer.on('end', () => req.socket.destroy()) // committed upstream; the client never hears
        return
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  const endpoints = { ...cloud.config.endpoints, s3: proxyUrl }
  ;({ whimsy } = await signedInWhimsy({ ...cloud, config: { ...cloud.config, endpoints } }, 'fslost'))
})

afterAll(async () => {
  proxy.closeAllConnections()
  await new Promise((resolve) => proxy.close(resolve))
})

describe('file writes whose answer was lost', () => {
  it('an ifNoneMatch write that committed is reported as written, with its ETag', async () => {
    lost = 0
    loseNext = conditionalPut
    const entry = await whimsy.fs.write('/lost/new.txt', 'first', { ifNoneMatch: '*' })
    expect(lost).toBe(1)
    expect(entry.etag).toBe((await whimsy.fs.stat('/lost/new.txt')).etag)
    expect(await whimsy.fs.readText('/lost/new.txt')).toBe('first')
    // A real conflict still is one, with or without a lost answer.
    await expect(whimsy.fs.write('/lost/new.txt', 'second', { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'Conflict' })
    loseNext = conditionalPut
    await expect(whimsy.fs.write('/lost/new.txt', 'third', { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'Conflict' })
    expect(lost).toBe(2)
    expect(await whimsy.fs.readText('/lost/new.txt')).toBe('first')
  })

  it('an ifMatch write that committed is reported as written; a stale one stays a Conflict', async () => {
    lost = 0
    const before = await whimsy.fs.write('/lost/doc.txt', 'v1')
    loseNext = conditionalPut
    const after = await whimsy.fs.write('/lost/doc.txt', 'v2', { ifMatch: before.etag })
    expect(lost).toBe(1)
    expect(after.etag).toBe((await whimsy.fs.stat('/lost/doc.txt')).etag)
    expect(await whimsy.fs.readText('/lost/doc.txt')).toBe('v2')
    // The first attempt itself is refused (the answer lost too): the retry meets another version.
    loseNext = conditionalPut
    await expect(whimsy.fs.write('/lost/doc.txt', 'v3', { ifMatch: before.etag })).rejects.toMatchObject({ code: 'Conflict' })
    expect(lost).toBe(2)
    expect(await whimsy.fs.readText('/lost/doc.txt')).toBe('v2')
  })

  it('a copy without overwrite that committed is done, and a move finishes', async () => {
    lost = 0
    await whimsy.fs.write('/lost/src.txt', 'payload')
    loseNext = (req) => req.method === 'PUT' && req.headers['x-amz-copy-source'] !== undefined
    await whimsy.fs.copy('/lost/src.txt', '/lost/copy.txt', { overwrite: false })
    expect(lost).toBe(1)
    expect(await whimsy.fs.readText('/lost/copy.txt')).toBe('payload')
    loseNext = (req) => req.method === 'PUT' && req.headers['x-amz-copy-source'] !== undefined
    await whimsy.fs.move('/lost/src.txt', '/lost/moved.txt', { overwrite: false })
    expect(lost).toBe(2)
    expect(await whimsy.fs.readText('/lost/moved.txt')).toBe('payload')
    await expect(whimsy.fs.stat('/lost/src.txt')).rejects.toMatchObject({ code: 'NotFound' })
    // A destination that was there before still refuses.
    await expect(whimsy.fs.copy('/lost/copy.txt', '/lost/moved.txt', { overwrite: false })).rejects.toMatchObject({ code: 'Conflict' })
  })
})
