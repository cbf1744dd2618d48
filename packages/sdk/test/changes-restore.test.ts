/**
 * `changes.subscribe` on a page that has just loaded: the stored session is still being
 * restored, so "no user yet" is not "signed out". Against the running local cloud.
 */
import { describe, expect, inject, it } from 'vitest'
import WebSocket from 'ws'
import { type ChangeEvent, createWhimsy, memoryStorage, type WebSocketConstructor } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'

const cloud = inject('cloud')
const NO_POLL = { WebSocket: WebSocket as unknown as WebSocketConstructor, pollIntervalMs: 3_600_000 }

describe('subscribe during the session restore', () => {
  it('waits for the restore and then delivers, instead of throwing NotSignedIn', async () => {
    const { whimsy: laptop, storage } = await signedInWhimsy(cloud, 'restore', { changes: NO_POLL })
    const since = await laptop.changes.head()
    // A reload: a new instance over the same session storage, subscribing as it starts.
    const reloaded = createWhimsy(cloud.config, { storage, changes: NO_POLL })
    expect(reloaded.auth.user).toBeNull()
    const got: ChangeEvent[] = []
    let arrived: () => void = () => {}
    const first = new Promise<void>((resolve) => {
      arrived = resolve
    })
    const stop = reloaded.changes.subscribe(
      (event) => {
        got.push(event)
        arrived()
      },
      { since },
    )
    expect((await reloaded.auth.ready)?.username).toBe(laptop.auth.user?.username)
    await laptop.kv.set('after-reload', 1)
    await first
    expect(got).toMatchObject([{ type: 'change', kind: 'kv', key: ':after-reload' }])
    stop()
  })

  it('throws NotSignedIn once the restore has found no session', async () => {
    const page = createWhimsy(cloud.config, { storage: memoryStorage(), changes: NO_POLL })
    expect(await page.auth.ready).toBeNull()
    expect(() => page.changes.subscribe(() => {})).toThrow(expect.objectContaining({ code: 'NotSignedIn' }))
    expect(() => page.fs.watch('/', () => {})).toThrow(expect.objectContaining({ code: 'NotSignedIn' }))
  })
})
