/**
 * `npm run bench`: what the gateway costs. The same S3 and DynamoDB calls, made with the same
 * SDK clients, through the gateway (SigV4 check + policy evaluation + proxy) and straight to
 * the store (the S3 engine's own calls, DynamoDB's emulator), in one run. Prints medians and
 * the ratio gateway / direct.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { createUser } from '../../../test/users.js'
import { withEmulatorHeaders } from '../src/emulator-access.js'
import { startLocalCloud } from '../src/index.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300)

async function median(label: string, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(i) // warm up connections and JIT
  const times: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now()
    await fn(i)
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const m = times[Math.floor(times.length / 2)] as number
  process.stderr.write(`  ${label}: ${m.toFixed(2)} ms\n`)
  return m
}

const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-'))
const bootStart = performance.now()
const cloud = await startLocalCloud({ dataDir })
const bootMs = performance.now() - bootStart
try {
  const info = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }
  const user = await createUser(info, 'bench')
  const { bucket: Bucket, table: TableName, region } = cloud.config
  const emulatorCreds = { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' }
  const { engine } = cloud
  // dynalite refuses calls without the gateway's per-start secret header (issue 11, finding 10).
  const directDdb = DynamoDBDocumentClient.from(
    withEmulatorHeaders(new DynamoDBClient({ region, endpoint: cloud.emulatorUrls.dynamodb, credentials: emulatorCreds }), cloud.emulatorHeaders.dynamodb),
  )
  const body = Buffer.alloc(1024, 7)
  const key = (i: number) => `${user.identityId}/bench/${i % 50}.bin`
  const item = (i: number) => ({ identityId: user.identityId, key: `bench-${i % 50}`, value: 'x'.repeat(100) })

  const rows: [string, number, number][] = []
  const measure = async (name: string, viaGateway: (i: number) => Promise<unknown>, direct: (i: number) => Promise<unknown>) => {
    const g = await median(`${name} via gateway`, viaGateway)
    const d = await median(`${name} direct`, direct)
    rows.push([name, g, d])
  }
  await measure(
    'S3 PutObject 1 KiB',
    (i) => user.s3.send(new PutObjectCommand({ Bucket, Key: key(i), Body: body })),
    (i) =>
      engine.putObject({ bucket: Bucket, key: key(i), body: Readable.from([body]), headers: { metadata: {} }, integrity: { expectedLength: body.length } }),
  )
  await measure(
    'S3 GetObject 1 KiB',
    async (i) => (await user.s3.send(new GetObjectCommand({ Bucket, Key: key(i) }))).Body?.transformToByteArray(),
    async (i) => {
      const { body: stream } = await engine.getObject({ bucket: Bucket, key: key(i) })
      for await (const _ of stream ?? []) {
        // drain
      }
    },
  )
  await measure(
    'DynamoDB PutItem',
    (i) => user.ddb.send(new PutCommand({ TableName, Item: item(i) })),
    (i) => directDdb.send(new PutCommand({ TableName, Item: item(i) })),
  )
  await measure(
    'DynamoDB GetItem',
    (i) => user.ddb.send(new GetCommand({ TableName, Key: { identityId: user.identityId, key: `bench-${i % 50}` } })),
    (i) => directDdb.send(new GetCommand({ TableName, Key: { identityId: user.identityId, key: `bench-${i % 50}` } })),
  )

  console.log(`\nLocal cloud boot (emulators + bootstrap, fresh data dir): ${bootMs.toFixed(0)} ms`)
  console.log(`Median of ${ROUNDS} sequential calls each; baseline = the same call on the S3 engine in process / straight to the DynamoDB emulator.\n`)
  console.log('| call | via gateway (ms) | direct (ms) | overhead (ms) | ratio |')
  console.log('|---|---:|---:|---:|---:|')
  for (const [name, g, d] of rows) console.log(`| ${name} | ${g.toFixed(2)} | ${d.toFixed(2)} | ${(g - d).toFixed(2)} | ${(g / d).toFixed(2)}× |`)
} finally {
  await cloud.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
