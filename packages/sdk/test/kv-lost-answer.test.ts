/**
 * One retry policy (issue 12): a conditional write that committed but whose answer was lost
 * must not come back from the retry as a false Conflict. A proxy in front of the local cloud
 * forwards a write, lets it commit, and cuts the connection before the answer reaches the SDK.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { signedInWhimsy } from './sdk-users.js'

const cloud = inject('cloud')
let proxy: Server
let proxyUrl: string
/** Whether to swallow the answer of the next request whose target is this operation. */
let loseNextAnswerOf: string | undefined
let lost = 0

beforeAll(async () => {
  const target = new URL(cloud.urls.api)
  proxy = createServer((req: IncomingMessage, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1]
    const lose = operation !== undefined && operation === loseNextAnswerOf
    if (lose) loseNextAnswerOf = undefined
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
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
})

afterAll(async () => {
  proxy.closeAllConnections()
  await new Promise((resolve) => proxy.close(resolve))
})

describe('kv writes whose answer was lost', () => {
  it('a conditional set that committed is reported as done, not as a Conflict', async () => {
    const endpoints = { ...cloud.config.endpoints, dynamodb: proxyUrl }
    const { whimsy } = await signedInWhimsy({ ...cloud, config: { ...cloud.config, endpoints } }, 'lostanswer')
    const first = await whimsy.kv.set('doc', { n: 1 })
    loseNextAnswerOf = 'UpdateItem'
    const second = await whimsy.kv.set('doc', { n: 2 }, { ifVersion: first.version })
    expect(lost).toBe(1)
    expect(second.version).toBe(first.version + 1)
    expect(await whimsy.kv.get('doc')).toEqual({ n: 2 })
    // A real conflict still is one.
    await expect(whimsy.kv.set('doc', { n: 3 }, { ifVersion: first.version })).rejects.toMatchObject({ code: 'Conflict' })
    // And so is a lost answer whose retry meets another writer's change.
    loseNextAnswerOf = 'UpdateItem'
    await expect(whimsy.kv.set('doc', { n: 4 }, { ifVersion: first.version })).rejects.toMatchObject({ code: 'Conflict' })
    expect(await whimsy.kv.get('doc')).toEqual({ n: 2 })
  })
})
