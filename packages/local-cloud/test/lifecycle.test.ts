/**
 * A local cloud's life: it answers while it starts (issue 11, finding 7), and it brings an
 * emulator that died back on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type LocalCloud, startLocalCloud } from '@whimsy/local-cloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RawAnswer, rawRequest } from './raw-http.js'

const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-lifecycle-'))
let cloud: LocalCloud
/** What the API port answered while `startLocalCloud` had not yet resolved. */
let duringStart: RawAnswer | undefined
let startedAt = 0

beforeAll(async () => {
  const apiPort = await freePort()
  let started = false
  const starting = startLocalCloud({ dataDir, reset: true, apiPort }).finally(() => {
    started = true
  })
  startedAt = Date.now()
  // The port is claimed first thing; ask as soon as it takes connections.
  for (;;) {
    const answer = await rawRequest(`http://127.0.0.1:${apiPort}`, { path: '/_whimsy/health', timeoutMs: 2000 }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNREFUSED') throw e
      return undefined
    })
    if (answer) {
      if (!started) duringStart = answer
      break
    }
    if (started) break
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  cloud = await starting
})

afterAll(async () => {
  await cloud?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('lifecycle', () => {
  it('Regression (issue 11, finding 7): a request during start-up is answered, never left hanging', () => {
    // The emulators take a second or more to start; the port is open long before.
    expect(duringStart, `no request got in before start-up finished (${Date.now() - startedAt} ms)`).toBeDefined()
    expect([503, 200]).toContain(duringStart?.status)
    if (duringStart?.status === 503) expect(JSON.parse(duringStart.text)).toEqual({ message: 'starting' })
  })
})
