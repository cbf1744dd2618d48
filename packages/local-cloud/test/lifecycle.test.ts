/**
 * A local cloud of its own: it answers while it starts (issue 11, finding 7), its emulators
 * answer nobody but the gateway (finding 10), and an emulator that died comes back.
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { freePort, type LocalCloud, startLocalCloud } from '@whimsy/local-cloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RawAnswer, rawRequest } from './raw-http.js'

const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-lifecycle-'))
// As a data directory made by an older version (or by hand) may be.
chmodSync(dataDir, 0o755)
const logLines: string[] = []
let cloud: LocalCloud
/** What the API port answered while `startLocalCloud` had not yet resolved. */
let duringStart: RawAnswer | undefined
let startedAt = 0

beforeAll(async () => {
  const apiPort = await freePort()
  let started = false
  const starting = startLocalCloud({ dataDir, apiPort, log: (line) => logLines.push(line) }).finally(() => {
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

  it('Regression (issue 11, finding 10): the emulators refuse anyone but the gateway', async () => {
    const calls = [
      { kind: 'dynamodb' as const, origin: cloud.emulatorUrls.dynamodb, path: '/', target: 'DynamoDB_20120810.ListTables', type: 'application/x-amz-json-1.0' },
      {
        kind: 'cognito' as const,
        origin: cloud.emulatorUrls.cognito,
        path: '/',
        target: 'AWSCognitoIdentityProviderService.ListUserPools',
        type: 'application/x-amz-json-1.1',
      },
    ]
    for (const { kind, origin, path, target, type } of calls) {
      const body = target.endsWith('ListUserPools') ? '{"MaxResults":10}' : '{}'
      const plain = await rawRequest(origin, { path, method: 'POST', headers: { 'content-type': type, 'x-amz-target': target }, body })
      expect(plain.status, target).toBe(403)
      const forged = await rawRequest(origin, {
        path,
        method: 'POST',
        headers: { 'content-type': type, 'x-amz-target': target, 'x-whimsy-upstream': 'guess' },
        body,
      })
      expect(forged.status, target).toBe(403)
      // The same call with this start's secret gets past the gate (dynalite then wants a
      // signature, 400; cognito-local answers): the 403 above is the gate's.
      const gateway = await rawRequest(origin, {
        path,
        method: 'POST',
        headers: { 'content-type': type, 'x-amz-target': target, ...cloud.emulatorHeaders[kind] },
        body,
      })
      expect(gateway.status, target).not.toBe(403)
    }
    const jwks = await rawRequest(cloud.emulatorUrls.cognito, { path: `/${cloud.config.userPoolId}/.well-known/jwks.json` })
    expect(jwks.status).toBe(403)
  })

  it("Regression (issue 11, finding 10): the data directory is its owner's alone", () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
  })

  it('restarts a killed dynalite on its port and reports it in /_whimsy/health', async () => {
    const ddb = new DynamoDBClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.dynamodb, credentials: cloud.admin })
    const TableName = cloud.config.table
    const Key = { identityId: { S: 'us-east-1:lifecycle' }, key: { S: 'k' } }
    await ddb.send(new PutItemCommand({ TableName, Item: { ...Key, v: { S: 'before' } } }))
    const health = async () => {
      const r = await rawRequest(cloud.urls.api, { path: '/_whimsy/health' })
      return { status: r.status, ...(JSON.parse(r.text) as { ok: boolean; parts: Record<string, string> }) }
    }
    expect(await health()).toEqual({ status: 200, ok: true, parts: { dynamodb: 'up', cognito: 'up', s3: 'up' } })

    const killed = cloud.pids.dynamodb as number
    process.kill(killed, 'SIGKILL')
    const seen = new Set<string>()
    const deadline = Date.now() + 20_000
    for (;;) {
      const h = await health()
      seen.add(`${h.status} ${h.parts.dynamodb}`)
      if (h.ok && cloud.pids.dynamodb !== killed) break
      if (Date.now() > deadline) throw new Error(`dynalite not back within 20 s; health saw ${[...seen].join(', ')}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(seen).toContain('503 restarting')
    expect(cloud.health().parts.dynamodb).toBe('up')
    expect(logLines.some((l) => /dynamodb emulator .*restart/.test(l))).toBe(true)
    const item = await ddb.send(new GetItemCommand({ TableName, Key }))
    expect(item.Item?.v?.S).toBe('before')
    ddb.destroy()
  })
})
