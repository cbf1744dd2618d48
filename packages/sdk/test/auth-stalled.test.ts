/**
 * Calls that never end (issue 12): behind a user pool that accepts the connection and never
 * answers, every auth call ends — with `Aborted` when the caller's signal fires, with `Network`
 * when the request times out.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cognitoClient } from '../src/auth/cognito-api.js'
import { createWhimsy, memoryStorage } from '../src/index.js'
import { PASSWORD } from './sdk-users.js'
import { codeOf } from './whimsy-errors.js'

const cloud = inject('cloud')
let stalled: Server
let url: string
let arrived: () => void
let requestArrived: Promise<void>
const expectRequest = () => {
  requestArrived = new Promise((resolve) => {
    arrived = resolve
  })
}

beforeAll(async () => {
  stalled = createServer(() => arrived())
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`
})
afterAll(() => {
  stalled.closeAllConnections()
  stalled.close()
})

describe('calls that never end', () => {
  it('a signal ends sign-in, sign-up and a reset at once, as Aborted', async () => {
    const whimsy = createWhimsy({ ...cloud.config, endpoints: { ...cloud.config.endpoints, cognitoIdentityProvider: url } }, { storage: memoryStorage() })
    const calls = [
      (signal: AbortSignal) => whimsy.auth.signIn({ username: 'someone', password: PASSWORD }, { signal }),
      (signal: AbortSignal) => whimsy.auth.signUp({ username: 'someone', email: 'someone@example.com', password: PASSWORD }, { signal }),
      (signal: AbortSignal) => whimsy.auth.forgotPassword({ username: 'someone' }, { signal }),
    ]
    for (const call of calls) {
      expectRequest()
      const controller = new AbortController()
      const pending = codeOf(call(controller.signal))
      await requestArrived
      controller.abort()
      expect(await pending).toBe('Aborted')
    }
  })

  it('a request the pool never answers times out as Network', async () => {
    const call = cognitoClient({ region: cloud.config.region, endpoints: { cognitoIdentityProvider: url } })
    expect(await codeOf(call('InitiateAuth', {}, { timeoutMs: 200 }))).toBe('Network')
  })

  it('refuses a signal that is not one, before the network', async () => {
    const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
    expect(await codeOf(whimsy.auth.signIn({ username: 'a', password: 'b' }, { signal: 'soon' as never }))).toBe('InvalidInput')
  })
})
