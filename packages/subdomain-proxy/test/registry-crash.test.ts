/**
 * The claim protocol without transactions: a claim is stopped after each of its writes (as a
 * crashed function would stop), and the state it leaves must route nowhere wrong and be
 * repaired by the next claim. Runs against the local cloud's registry table in DynamoDB.
 */
import { randomUUID } from 'node:crypto'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { HandleRegistry } from '../src/registry.js'
import { unique } from './site-client.js'

const cloud = inject('cloud')
// The claim function's own access: the account's key, through the gateway.
const client = new DynamoDBClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.dynamodb, credentials: cloud.admin })
afterAll(() => client.destroy())

class Crash extends Error {}

let clock = Date.now()
const now = () => clock
const registry = (crashAt?: 'reserve' | 'commit') =>
  new HandleRegistry({
    client,
    table: cloud.handlesTable as string,
    now,
    staleAfterMs: 60_000,
    afterStep: (step) => {
      if (step === crashAt) throw new Crash(step)
    },
  })
const newId = () => `us-east-1:${randomUUID()}`

describe('a claim stopped between its steps', () => {
  it('after reserving a first handle: it routes nowhere, and claiming it again repairs it', async () => {
    const me = newId()
    const h = unique('crash')
    await expect(registry('reserve').claim(me, h)).rejects.toBeInstanceOf(Crash)
    const r = registry()
    expect(await r.lookup(h)).toBeNull()
    expect(await r.handleOf(me)).toBeNull()
    expect(await r.available(h)).toMatchObject({ available: false, reason: expect.stringMatching(/being claimed/) })
    // Someone else must wait while the reservation is fresh…
    const other = newId()
    expect(await r.claim(other, h)).toMatchObject({ ok: false, code: 'HandleTaken' })
    // …and the claimer's retry completes it.
    expect(await r.claim(me, h)).toMatchObject({ ok: true, handle: h, identityId: me })
    expect(await r.lookup(h)).toBe(me)
    expect(await r.handleOf(me)).toBe(h)
  })

  it('a claim that stalls past the stale period and loses its reservation says HandleTaken and keeps its old handle (review)', async () => {
    const me = newId()
    const rival = newId()
    const old = unique('stall-old')
    const h = unique('stall')
    expect(await registry().claim(me, old)).toMatchObject({ ok: true })
    const stalling = new HandleRegistry({
      client,
      table: cloud.handlesTable as string,
      now,
      staleAfterMs: 60_000,
      afterStep: async (step) => {
        if (step !== 'reserve') return
        // The function stalls for over a minute; meanwhile someone takes the stale reservation.
        clock += 61_000
        expect(await registry().claim(rival, h)).toMatchObject({ ok: true, identityId: rival })
      },
    })
    expect(await stalling.claim(me, h)).toMatchObject({ ok: false, code: 'HandleTaken' })
    expect(await registry().lookup(h)).toBe(rival)
    expect(await registry().lookup(old)).toBe(me)
    expect(await registry().handleOf(me)).toBe(old)
  })

  it('after reserving a first handle, then abandoned: anyone may take it once it is stale', async () => {
    const me = newId()
    const h = unique('crash')
    await expect(registry('reserve').claim(me, h)).rejects.toBeInstanceOf(Crash)
    clock += 61_000
    const other = newId()
    expect(await registry().available(h)).toEqual({ handle: h, available: true })
    expect(await registry().claim(other, h)).toMatchObject({ ok: true, identityId: other })
    expect(await registry().lookup(h)).toBe(other)
    expect(await registry().handleOf(me)).toBeNull()
  })

  it('after reserving during a rename: the old handle still works, the new one routes nowhere; the retry finishes', async () => {
    const me = newId()
    const [old, next] = [unique('old'), unique('next')]
    expect(await registry().claim(me, old)).toMatchObject({ ok: true })
    await expect(registry('reserve').claim(me, next)).rejects.toBeInstanceOf(Crash)
    const r = registry()
    expect(await r.lookup(old)).toBe(me)
    expect(await r.lookup(next)).toBeNull()
    expect(await r.handleOf(me)).toBe(old)
    expect(await r.claim(me, next)).toMatchObject({ ok: true, previous: old })
    expect(await r.lookup(next)).toBe(me)
    expect(await r.lookup(old)).toBeNull()
    expect(await r.available(old)).toEqual({ handle: old, available: true })
  })

  it('after committing a rename: the new handle works, the old one routes nowhere, and the next claim deletes it', async () => {
    const me = newId()
    const [old, next] = [unique('old'), unique('next')]
    expect(await registry().claim(me, old)).toMatchObject({ ok: true })
    await expect(registry('commit').claim(me, next)).rejects.toBeInstanceOf(Crash)
    const r = registry()
    expect(await r.lookup(next)).toBe(me)
    expect(await r.lookup(old)).toBeNull()
    expect(await r.handleOf(me)).toBe(next)
    // The reservation of `old` is still there (unconfirmed), so it is not yet free for others…
    expect(await r.available(old)).toMatchObject({ available: false })
    // …until the holder's next claim, whatever it is, releases it.
    expect(await r.claim(me, next)).toMatchObject({ ok: true })
    expect(await r.available(old)).toEqual({ handle: old, available: true })
    expect(await r.claim(newId(), old)).toMatchObject({ ok: true })
    expect(await r.lookup(next)).toBe(me)
  })

  it('after committing a rename, then abandoned: others may take the old handle once it is stale', async () => {
    const me = newId()
    const [old, next] = [unique('old'), unique('next')]
    expect(await registry().claim(me, old)).toMatchObject({ ok: true })
    await expect(registry('commit').claim(me, next)).rejects.toBeInstanceOf(Crash)
    clock += 61_000
    const other = newId()
    expect(await registry().claim(other, old)).toMatchObject({ ok: true, identityId: other })
    expect(await registry().lookup(old)).toBe(other)
    expect(await registry().lookup(next)).toBe(me)
    // The holder's next claim must not release what is no longer theirs.
    expect(await registry().claim(me, next)).toMatchObject({ ok: true })
    expect(await registry().lookup(old)).toBe(other)
  })
})

describe('races', () => {
  it('one of many concurrent claims of a handle wins', async () => {
    const h = unique('race')
    const ids = Array.from({ length: 6 }, newId)
    const results = await Promise.all(ids.map((id) => registry().claim(id, h)))
    const winners = results.filter((r) => r.ok)
    expect(winners).toHaveLength(1)
    expect(await registry().lookup(h)).toBe((winners[0] as { identityId: string }).identityId)
  })

  it("one identity's concurrent claims leave it exactly one confirmed handle", async () => {
    const me = newId()
    const handles = Array.from({ length: 4 }, () => unique('many'))
    await Promise.allSettled(handles.map((h) => registry().claim(me, h)))
    const held = await registry().handleOf(me)
    expect(handles).toContain(held)
    const routed = await Promise.all(handles.map((h) => registry().lookup(h)))
    expect(routed.filter((id) => id === me)).toHaveLength(1)
  })
})
