/**
 * Issue 12, "Calls that never end": every `fs` and `kv` call takes `{ signal }`. An already
 * aborted signal rejects at once with `Aborted`, before any request (the client here reaches
 * only closed ports, so a request would be `Network`); one aborted while a request hangs on a
 * stalled connection ends it with `Aborted`.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createWhimsy, type Whimsy } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'
import { errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')
const CLOSED = 'http://127.0.0.1:9'
let closed: Whimsy
let stalled: Whimsy
let server: Server
const sockets = new Set<Socket>()
let connected: () => void = () => {}

beforeAll(async () => {
  const { storage } = await signedInWhimsy(cloud, 'signals')
  closed = createWhimsy(
    {
      ...cloud.config,
      handlesApi: CLOSED,
      endpoints: { cognitoIdentityProvider: CLOSED, cognitoIdentity: CLOSED, s3: CLOSED, dynamodb: CLOSED, sites: CLOSED },
    },
    { storage },
  )
  await closed.auth.ready
  // Accepts connections and never answers: a stalled network.
  server = createServer((socket) => {
    sockets.add(socket)
    connected()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const stall = `http://127.0.0.1:${port}`
  stalled = createWhimsy({ ...cloud.config, endpoints: { ...cloud.config.endpoints, s3: stall, dynamodb: stall } }, { storage })
  await stalled.auth.ready
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => server?.close(resolve))
})

const aborted = AbortSignal.abort()
const bytes = new Uint8Array(3)

const CALLS: [string, (w: Whimsy, signal: AbortSignal) => Promise<unknown>][] = [
  ['fs.write', (w, signal) => w.fs.write('/a.txt', 'x', { signal })],
  ['fs.upload', (w, signal) => w.fs.upload('/a.bin', bytes, { signal })],
  ['fs.read', (w, signal) => w.fs.read('/a.txt', { signal })],
  ['fs.readText', (w, signal) => w.fs.readText('/a.txt', { signal })],
  ['fs.readJSON', (w, signal) => w.fs.readJSON('/a.json', { signal })],
  ['fs.readBlob', (w, signal) => w.fs.readBlob('/a.txt', { signal })],
  ['fs.stream', (w, signal) => w.fs.stream('/a.txt', { signal })],
  ['fs.stat', (w, signal) => w.fs.stat('/a.txt', { signal })],
  ['fs.exists', (w, signal) => w.fs.exists('/a.txt', { signal })],
  ['fs.list', async (w, signal) => w.fs.list('/', { signal }).next()],
  ['fs.listPage', (w, signal) => w.fs.listPage('/', { signal })],
  ['fs.mkdir', (w, signal) => w.fs.mkdir('/d', { signal })],
  ['fs.remove', (w, signal) => w.fs.remove('/a.txt', { signal })],
  ['fs.copy', (w, signal) => w.fs.copy('/a.txt', '/b.txt', { signal })],
  ['fs.move', (w, signal) => w.fs.move('/a.txt', '/b.txt', { signal })],
  ['fs.shareUrl', (w, signal) => w.fs.shareUrl('/a.txt', { signal })],
  ['fs.usage', (w, signal) => w.fs.usage({ signal })],
  ['kv.get', (w, signal) => w.kv.get('k', { signal })],
  ['kv.set', (w, signal) => w.kv.set('k', 1, { signal })],
  ['kv.update', (w, signal) => w.kv.update('k', { add: { n: 1 } }, { signal })],
  ['kv.delete', (w, signal) => w.kv.delete('k', { signal })],
  ['kv.list', async (w, signal) => w.kv.list({ signal })[Symbol.asyncIterator]().next()],
  ['kv.getMany', (w, signal) => w.kv.getMany(['k'], { signal })],
  ['kv.setMany', (w, signal) => w.kv.setMany({ k: 1 }, { signal })],
  ['kv.deleteMany', (w, signal) => w.kv.deleteMany(['k'], { signal })],
]

describe('Issue 12: { signal } on every fs and kv call', () => {
  for (const [name, call] of CALLS) {
    it(`Issue 12: ${name} with an already-aborted signal rejects at once with Aborted`, async () => {
      const error = await errorOf((async () => call(closed, aborted))())
      expect({ code: error.code, message: error.message }).toEqual({ code: 'Aborted', message: `${name} was cancelled.` })
    })
  }

  it('Issue 12: a signal that is not an AbortSignal is InvalidInput naming it', async () => {
    for (const [name, call] of CALLS) {
      const error = await errorOf((async () => call(closed, 'stop' as never))())
      expect(error.code, name).toBe('InvalidInput')
      expect(error.message, name).toMatch(new RegExp(`^${name.replace('.', '\\.')}: options\\.signal must be an AbortSignal`))
    }
  })

  it('Issue 12: kv.get and fs.stat on a stalled connection end with Aborted when the signal fires', async () => {
    for (const call of [(signal: AbortSignal) => stalled.kv.get('k', { signal }), (signal: AbortSignal) => stalled.fs.stat('/a.txt', { signal })]) {
      const stop = new AbortController()
      const reached = new Promise<void>((resolve) => {
        connected = resolve
      })
      const pending = errorOf(call(stop.signal))
      await reached
      stop.abort()
      expect((await pending).code).toBe('Aborted')
    }
  })
})
