/**
 * `{ signal }` on every `sites` and `profile` call that makes a request, as `fs` and `kv` have
 * it (signals.test.ts): an already-aborted signal rejects at once with `Aborted` and sends
 * nothing (the `closed` client reaches only closed ports, so a request would be `Network`); one
 * aborted while the request hangs on a stalled connection ends it with `Aborted`.
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
  const { storage } = await signedInWhimsy(cloud, 'signals-ps')
  // The user pool stays reachable (claimHandle needs an ID token first); everything else is closed.
  closed = createWhimsy(
    { ...cloud.config, handlesApi: CLOSED, endpoints: { ...cloud.config.endpoints, cognitoIdentity: CLOSED, s3: CLOSED, dynamodb: CLOSED, sites: CLOSED } },
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
  stalled = createWhimsy({ ...cloud.config, handlesApi: stall, endpoints: { ...cloud.config.endpoints, s3: stall, sites: stall } }, { storage })
  await stalled.auth.ready
}, 60_000)

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => server?.close(resolve))
})

const aborted = AbortSignal.abort()
const PROFILE = { displayName: 'Signals' }

/** [the call's name in messages, how the test calls it, the call] */
const CALLS: [string, string, (w: Whimsy, signal: AbortSignal) => Promise<unknown>][] = [
  ['sites.claimHandle', 'claimHandle(name, { signal })', (w, signal) => w.sites.claimHandle('signals-nobody', { signal })],
  ['sites.isAvailable', 'isAvailable(name, { signal })', (w, signal) => w.sites.isAvailable('signals-nobody', { signal })],
  ['profile.get', "get(handle, { signal }): anyone's", (w, signal) => w.profile.get('signals-nobody', { signal })],
  ['profile.get', 'get({ signal }): your own', (w, signal) => w.profile.get({ signal })],
  ['profile.get', 'get(undefined, { signal }): your own', (w, signal) => w.profile.get(undefined, { signal })],
  ['profile.set', 'set(profile, { signal })', (w, signal) => w.profile.set(PROFILE, { signal })],
]

describe('{ signal } on every sites and profile call', () => {
  for (const [name, how, call] of CALLS) {
    it(`${name}: ${how} with an already-aborted signal rejects at once with Aborted`, async () => {
      const error = await errorOf((async () => call(closed, aborted))())
      expect({ code: error.code, message: error.message }).toEqual({ code: 'Aborted', message: `${name} was cancelled.` })
    })
  }

  it('a signal that is not an AbortSignal, or an unknown option, is InvalidInput naming it', async () => {
    for (const [name, how, call] of CALLS) {
      const error = await errorOf((async () => call(closed, 'stop' as never))())
      expect(error.code, how).toBe('InvalidInput')
      expect(error.message, how).toMatch(new RegExp(`^${name.replace('.', '\\.')}: options\\.signal must be an AbortSignal`))
    }
    const typo = await errorOf(closed.sites.isAvailable('x', { signl: aborted } as never))
    expect(typo.message).toBe('sites.isAvailable: unknown option "signl"; the options are signal.')
  })

  it('each call on a stalled connection ends with Aborted when the signal fires', async () => {
    for (const [name, how, call] of CALLS) {
      const stop = new AbortController()
      const reached = new Promise<void>((resolve) => {
        connected = resolve
      })
      const pending = errorOf(call(stalled, stop.signal))
      await reached
      stop.abort()
      const error = await pending
      expect({ code: error.code, message: error.message }, how).toEqual({ code: 'Aborted', message: `${name} was cancelled.` })
    }
  })
})
