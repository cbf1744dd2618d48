/**
 * The change feed end to end (issue 15), against the running local cloud: two devices of one
 * user (two `Whimsy` instances signed in as the same user, each with its own session), a
 * third user, the real socket (`ws`, Node 20 has no WebSocket) and the real log.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import WebSocket from 'ws'
import { documentClient } from '../../../test/users.js'
import { sessionOf } from '../src/auth/session-access.js'
import { channelOf } from '../src/changes/channel-name.js'
import { type Change, type ChangeEvent, createWhimsy, memoryStorage, type WebSocketConstructor, type Whimsy } from '../src/index.js'
import { PASSWORD, signedInWhimsy } from './sdk-users.js'

const cloud = inject('cloud')
const changeTable = cloud.config.changes?.table as string
const Ws = WebSocket as unknown as WebSocketConstructor
/** A poll interval no test waits for: delivery here comes from the socket. */
const NO_POLL = { WebSocket: Ws, pollIntervalMs: 3_600_000 }

/** Collects a subscription's events; `until` resolves once the predicate holds (event-driven, no timers). */
function collector() {
  const events: ChangeEvent[] = []
  let waiters: { test: () => boolean; resolve: () => void }[] = []
  return {
    events,
    changes: () => events.filter((e): e is Change => e.type === 'change'),
    push(e: ChangeEvent) {
      events.push(e)
      waiters = waiters.filter((w) => {
        if (!w.test()) return true
        w.resolve()
        return false
      })
    },
    until(test: () => boolean): Promise<void> {
      if (test()) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ test, resolve }))
    },
  }
}

async function secondDevice(username: string, options = NO_POLL): Promise<Whimsy> {
  const whimsy = createWhimsy(cloud.config, { storage: memoryStorage(), changes: options })
  await whimsy.auth.signIn({ username, password: PASSWORD })
  return whimsy
}

let laptop: Whimsy
let phone: Whimsy
let username: string
let stranger: Whimsy

beforeAll(async () => {
  const [a, c] = await Promise.all([signedInWhimsy(cloud, 'feed', { changes: NO_POLL }), signedInWhimsy(cloud, 'stranger', { changes: NO_POLL })])
  laptop = a.whimsy
  username = a.username
  stranger = c.whimsy
  phone = await secondDevice(username)
})

describe('two devices of one user', () => {
  it('a file write and a key-value write on one arrive on the other, marked as made elsewhere', async () => {
    const onPhone = collector()
    const onLaptop = collector()
    const inFolder = collector()
    const inKeys = collector()
    const since = await phone.changes.head()
    const stops = [
      phone.changes.subscribe(onPhone.push, { since }),
      laptop.changes.subscribe(onLaptop.push, { since }),
      phone.fs.watch('/notes', inFolder.push, { since }),
      phone.kv.app('notes').watch('note/', inKeys.push, { since }),
    ]
    await laptop.fs.write('/notes/todo.txt', 'milk')
    await laptop.fs.write('/elsewhere/x.txt', 'not in the folder')
    await laptop.kv.app('notes').set('note/1', { text: 'hello' })
    await laptop.kv.set('note/1', 'whimsy.kv, not the notes app')
    await onPhone.until(() => onPhone.changes().length >= 4)
    await onLaptop.until(() => onLaptop.changes().length >= 4)
    await inKeys.until(() => inKeys.changes().length >= 1)
    await inFolder.until(() => inFolder.changes().length >= 1)
    const [file, , kv] = onPhone.changes()
    expect(file).toMatchObject({ kind: 'file', op: 'put', path: '/notes/todo.txt', size: 4, fromThisDevice: false })
    expect(kv).toMatchObject({ kind: 'kv', op: 'put', key: 'notes:note/1', version: expect.any(Number), fromThisDevice: false })
    expect(onLaptop.changes().map((c) => c.fromThisDevice)).toEqual([true, true, true, true])
    expect(inFolder.changes().map((c) => c.path)).toEqual(['/notes/todo.txt'])
    expect(inKeys.changes().map((c) => c.key)).toEqual(['note/1'])
    expect(onPhone.changes().map((c) => c.seq)).toEqual([since + 1, since + 2, since + 3, since + 4])

    await laptop.fs.remove('/notes/todo.txt')
    await inFolder.until(() => inFolder.changes().length >= 2)
    expect(inFolder.changes()[1]).toMatchObject({ op: 'delete', path: '/notes/todo.txt', fromThisDevice: false })
    for (const stop of stops) stop()
  })

  it('a duplicate entry in the log (a repeated event) is delivered once', async () => {
    const events = collector()
    const since = await phone.changes.head()
    const stop = phone.changes.subscribe(events.push, { since })
    await laptop.kv.set('dup', 1)
    await events.until(() => events.changes().length >= 1)
    // What a repeated delivery of the same event leaves: the same eventId again at the next seq.
    const admin = documentClient(cloud, cloud.admin)
    const identityId = (await sessionOf(laptop.auth).credentials()).identityId
    const original = (await admin.send(new GetCommand({ TableName: changeTable, Key: { identityId, seq: since + 1 } }))).Item
    await admin.send(new PutCommand({ TableName: changeTable, Item: { ...original, seq: since + 2 } }))
    await admin.send(new PutCommand({ TableName: changeTable, Item: { identityId, seq: 0, head: since + 2 } }))
    await laptop.kv.set('after-dup', 2)
    await events.until(() => events.changes().some((c) => c.key === ':after-dup'))
    expect(events.changes().map((c) => c.key)).toEqual([':dup', ':after-dup'])
    stop()
  })
})

describe('other users', () => {
  it('a third user receives none of the first user’s changes', async () => {
    const theirs = collector()
    const mine = collector()
    const stops = [
      stranger.changes.subscribe(theirs.push, { since: await stranger.changes.head() }),
      phone.changes.subscribe(mine.push, { since: await phone.changes.head() }),
    ]
    await laptop.fs.write('/private.txt', 'mine')
    await mine.until(() => mine.changes().length >= 1)
    // Delivered in log order: the stranger's own write arriving first-and-only shows nothing else came.
    await stranger.fs.write('/own.txt', 'theirs')
    await theirs.until(() => theirs.changes().length >= 1)
    expect(theirs.changes().map((c) => c.path)).toEqual(['/own.txt'])
    for (const stop of stops) stop()
  })

  it("a third user cannot subscribe to the first user's channel", async () => {
    const owner = (await sessionOf(laptop.auth).credentials()).identityId
    const { Sha256 } = await import('@aws-crypto/sha256-js')
    const { SignatureV4 } = await import('@smithy/signature-v4')
    const creds = await sessionOf(stranger.auth).credentials()
    const signer = new SignatureV4({ service: 'appsync', region: cloud.config.region, sha256: Sha256, credentials: creds })
    const http = new URL(cloud.config.changes?.http as string)
    const sign = async (body: string) =>
      (
        await signer.sign({
          method: 'POST',
          protocol: http.protocol,
          hostname: http.hostname,
          port: Number(http.port),
          path: http.pathname,
          query: {},
          headers: { host: http.host, 'content-type': 'application/json; charset=UTF-8' },
          body,
        })
      ).headers
    const header = Buffer.from(JSON.stringify(await sign('{}'))).toString('base64url')
    const socket = new WebSocket(cloud.config.changes?.realtime as string, ['aws-appsync-event-ws', `header-${header}`])
    const answers: { type: string; id?: string }[] = []
    const answered = (type: string) =>
      new Promise<void>((resolve) => {
        const check = () => (answers.some((a) => a.type === type) ? resolve() : socket.once('message', onMessage))
        const onMessage = (data: WebSocket.RawData) => {
          answers.push(JSON.parse(String(data)) as { type: string })
          check()
        }
        check()
      })
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'connection_init' }))
    await answered('connection_ack')
    const channel = channelOf(owner) as string
    socket.send(JSON.stringify({ type: 'subscribe', id: 'steal', channel, authorization: await sign(JSON.stringify({ channel })) }))
    await answered('subscribe_error')
    // Their own channel, on the same connection, is fine: the refusal was about whose channel.
    const own = channelOf(creds.identityId) as string
    socket.send(JSON.stringify({ type: 'subscribe', id: 'own', channel: own, authorization: await sign(JSON.stringify({ channel: own })) }))
    await answered('subscribe_success')
    expect(answers.find((a) => a.type === 'subscribe_error')?.id).toBe('steal')
    socket.close()
  })

  it('a connection without a valid signature is refused before any subscription', async () => {
    const header = Buffer.from(JSON.stringify({ host: new URL(cloud.config.changes?.http as string).host })).toString('base64url')
    const socket = new WebSocket(cloud.config.changes?.realtime as string, ['aws-appsync-event-ws', `header-${header}`])
    const status = await new Promise<number | undefined>((resolve) => {
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode))
      socket.once('open', () => resolve(undefined))
    })
    expect(status).toBe(401)
  })
})

describe('arguments', () => {
  it('a wrong listener, cursor, folder or option is InvalidInput (or InvalidPath) before any request', () => {
    const bad: [() => unknown, string][] = [
      [() => phone.changes.subscribe('nope' as never), 'InvalidInput'],
      [() => phone.changes.subscribe(() => {}, { since: -1 }), 'InvalidInput'],
      [() => phone.changes.subscribe(() => {}, { since: 1.5 }), 'InvalidInput'],
      [() => phone.changes.subscribe(() => {}, { sinse: 1 } as never), 'InvalidInput'],
      [() => phone.fs.watch('no-slash/../x', () => {}), 'InvalidPath'],
      [() => phone.fs.watch('/ok', () => {}, { recursive: 'yes' as never }), 'InvalidInput'],
      [() => phone.kv.watch(42 as never, () => {}), 'InvalidInput'],
    ]
    for (const [call, code] of bad) expect(call).toThrow(expect.objectContaining({ code }))
  })

  it('a configuration without the change feed says so', async () => {
    const { changes: _, ...config } = cloud.config
    const bare = createWhimsy(config, { storage: memoryStorage() })
    await bare.auth.signIn({ username, password: PASSWORD })
    expect(() => bare.changes.subscribe(() => {})).toThrow(expect.objectContaining({ code: 'InvalidConfig' }))
  })
})

describe('recovery', () => {
  it('a device offline for a burst of 1,000 changes gets all of them, in order per key, exactly once', { timeout: 240_000 }, async () => {
    const since = await phone.changes.head()
    const store = laptop.kv.app('burst')
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`)
    const written = new Map<string, number[]>()
    // Ten keys written 100 times each, the keys in parallel: each key's versions in commit order.
    await Promise.all(
      keys.map(async (key) => {
        const versions: number[] = []
        for (let i = 0; i < 100; i++) versions.push((await store.set(key, i)).version)
        written.set(key, versions)
      }),
    )
    const target = since + 1000
    const events = collector()
    const stop = phone.kv.app('burst').watch('', events.push, { since })
    await events.until(() => (events.changes().at(-1)?.seq ?? 0) >= target)
    stop()
    const got = events.changes()
    expect(got).toHaveLength(1000)
    expect(new Set(got.map((c) => c.eventId)).size).toBe(1000)
    for (const key of keys) expect(got.filter((c) => c.key === key).map((c) => c.version)).toEqual(written.get(key))
  })

  it('a dropped socket resumes and delivers what happened meanwhile', async () => {
    const sockets: WebSocket[] = []
    const Tracked = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols)
        sockets.push(this)
      }
    } as unknown as WebSocketConstructor
    const device = await secondDevice(username, { WebSocket: Tracked, pollIntervalMs: 3_600_000 })
    const events = collector()
    const stop = device.changes.subscribe(events.push, { since: await device.changes.head() })
    await laptop.kv.set('before-drop', 1)
    await events.until(() => events.changes().length >= 1)
    const first = sockets[0] as WebSocket
    const closed = new Promise((resolve) => first.once('close', resolve))
    first.terminate()
    await closed
    await laptop.kv.set('while-dropped', 2)
    await events.until(() => events.changes().length >= 2)
    expect(events.changes().map((c) => c.key)).toEqual([':before-drop', ':while-dropped'])
    expect(sockets.length).toBeGreaterThanOrEqual(2)
    stop()
  })

  it('without a socket, the log is polled', async () => {
    const device = await secondDevice(username, { WebSocket: undefined as unknown as WebSocketConstructor, pollIntervalMs: 50 })
    const events = collector()
    const stop = device.changes.subscribe(events.push, { since: await device.changes.head() })
    await laptop.kv.set('polled', 1)
    await events.until(() => events.changes().length >= 1)
    expect(events.changes()[0]?.key).toBe(':polled')
    stop()
  })

  it('the cursor is kept with the session: a new subscription resumes after the last delivered change', async () => {
    const storage = memoryStorage()
    const device = createWhimsy(cloud.config, { storage, changes: NO_POLL })
    await device.auth.signIn({ username, password: PASSWORD })
    const first = collector()
    let stop = device.changes.subscribe(first.push, { since: await device.changes.head() })
    await laptop.kv.set('one', 1)
    await first.until(() => first.changes().length >= 1)
    stop()
    await laptop.kv.set('two', 2)
    const again = collector()
    stop = device.changes.subscribe(again.push)
    await again.until(() => again.changes().length >= 1)
    expect(again.changes().map((c) => c.key)).toEqual([':two'])
    stop()
  })

  it('sign-out closes the feed', async () => {
    const sockets: WebSocket[] = []
    const Tracked = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols)
        sockets.push(this)
      }
    } as unknown as WebSocketConstructor
    const device = await secondDevice(username, { WebSocket: Tracked, pollIntervalMs: 3_600_000 })
    const events = collector()
    device.changes.subscribe(events.push, { since: await device.changes.head() })
    await laptop.kv.set('before-sign-out', 1)
    await events.until(() => events.changes().length >= 1)
    const closed = new Promise((resolve) => (sockets[0] as WebSocket).once('close', resolve))
    await device.auth.signOut()
    await closed
    expect(() => device.changes.subscribe(() => {})).toThrow(expect.objectContaining({ code: 'NotSignedIn' }))
  })
})
