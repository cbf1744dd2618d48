/**
 * The change log's retention (issue 15) on a local cloud of its own whose clock the test moves
 * (`startLocalCloud({ now })`): entries older than the retention are gone (dynalite has no TTL;
 * the local writer deletes them as TTL would), and a cursor from before them gets "resync"
 * instead of a silent gap. Also the erase of a whole log, for account deletion.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalCloud, startLocalCloud } from '@whimsy/local-cloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { CloudInfo } from '../../../test/cloud-info.js'
import { sessionOf } from '../src/auth/session-access.js'
import type { ChangeEvent, WebSocketConstructor, Whimsy } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'

const RETENTION_SECONDS = 60
let offsetMs = 0
let cloud: LocalCloud
let info: CloudInfo
let dataDir: string
let whimsy: Whimsy

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'whimsy-retention-'))
  cloud = await startLocalCloud({ dataDir, now: () => new Date(Date.now() + offsetMs), changeRetentionSeconds: RETENTION_SECONDS })
  info = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }
  ;({ whimsy } = await signedInWhimsy(info, 'retention', { changes: { WebSocket: WebSocket as unknown as WebSocketConstructor, pollIntervalMs: 3_600_000 } }))
})

afterAll(async () => {
  await cloud?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

/** The first event a subscription from `since` delivers. */
function firstEvent(since: number): Promise<ChangeEvent> {
  return new Promise((resolve) => {
    const stop = whimsy.changes.subscribe(
      (event) => {
        stop()
        resolve(event)
      },
      { since },
    )
  })
}

/** Writes a key and waits for its entry in the log (through the feed itself). */
async function written(key: string): Promise<number> {
  const since = await whimsy.changes.head()
  const arrived = firstEvent(since)
  await whimsy.kv.set(key, 1)
  const event = await arrived
  if (event.type !== 'change') throw new Error(`expected a change, got ${event.type}`)
  return event.seq
}

describe('retention', () => {
  it('a cursor older than the retention gets "resync", then the changes after it', async () => {
    const a = await written('a')
    const b = await written('b')
    expect(await firstEvent(a)).toMatchObject({ type: 'change', seq: b })

    offsetMs += (RETENTION_SECONDS + 1) * 1000
    const c = await written('c')
    // a and b have expired: from a, change b is lost, and the SDK says so.
    expect(await firstEvent(a)).toEqual({ type: 'resync', seq: c })
    expect(await firstEvent(0)).toEqual({ type: 'resync', seq: c })
    // From b nothing was lost (the next entry is b + 1), although b's own entry is gone.
    expect(await firstEvent(b)).toMatchObject({ type: 'change', seq: c, key: ':c' })
  })

  it('erasing the change log (account deletion) leaves nothing, and a cursor into it gets "resync"', async () => {
    const d = await written('d')
    const identityId = (await sessionOf(whimsy.auth).credentials()).identityId
    expect(await cloud.eraseChangeLog(identityId)).toBeGreaterThan(0)
    expect(await whimsy.changes.head()).toBe(0)
    expect(await firstEvent(d)).toEqual({ type: 'resync', seq: 0 })
  })
})
