/**
 * Local cloud: how long it takes to boot, and what the gateway (SigV4 check + policy
 * evaluation + proxy) costs per request. The same S3 and DynamoDB calls, made with the same
 * SDK clients, through the gateway and straight to the store (the S3 engine's own calls,
 * DynamoDB's emulator), alternating call by call. Boot is compared with s3rver 3.7.1 (the
 * S3 emulator the engine replaced) started the same way. A row provider of `npm run bench`;
 * `tsx packages/local-cloud/bench/gateway-overhead.ts [--quick]` runs it alone.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import S3rver from 's3rver'
import { type BenchOptions, type BenchRow, interleavedRow, median, row } from '../../../bench/rows.js'
import { runIfMain } from '../../../bench/standalone.js'
import { createUser } from '../../../test/users.js'
import { withEmulatorHeaders } from '../src/emulator-access.js'
import { freePort, type LocalCloud, startLocalCloud } from '../src/index.js'

/** Boot to ready on a fresh data directory, alternating with s3rver's start. */
async function bootRow(rounds: number): Promise<BenchRow> {
  const ours: number[] = []
  const baseline: number[] = []
  for (let i = 0; i < rounds; i++) {
    const bootCloud = async () => {
      const dir = mkdtempSync(join(tmpdir(), 'whimsy-bench-boot-'))
      const t = performance.now()
      const cloud = await startLocalCloud({ dataDir: dir })
      ours.push(performance.now() - t)
      await cloud.stop()
      rmSync(dir, { recursive: true, force: true })
    }
    const bootS3rver = async () => {
      const dir = mkdtempSync(join(tmpdir(), 'whimsy-bench-boot-s3rver-'))
      const t = performance.now()
      const server = new S3rver({ address: '127.0.0.1', port: await freePort(), directory: dir, silent: true, configureBuckets: [{ name: 'bench' }] })
      await server.run()
      baseline.push(performance.now() - t)
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
    for (const boot of i % 2 ? [bootS3rver, bootCloud] : [bootCloud, bootS3rver]) await boot()
  }
  return row(
    'boot to ready, fresh data directory: the local cloud vs s3rver 3.7.1 alone',
    median(ours),
    median(baseline),
    'ms',
    rounds,
    'ours starts the S3 engine, dynalite, cognito-local and the gateway and bootstraps the bucket, tables and pool; s3rver is S3 only',
  )
}

async function gatewayRows(cloud: LocalCloud, dataDir: string, rounds: number): Promise<BenchRow[]> {
  const user = await createUser({ config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }, 'bench')
  const { bucket: Bucket, table: TableName, region } = cloud.config
  const { engine } = cloud
  // dynalite refuses calls without the gateway's per-start secret header (issue 11, finding 10).
  const directDdb = DynamoDBDocumentClient.from(
    withEmulatorHeaders(
      new DynamoDBClient({ region, endpoint: cloud.emulatorUrls.dynamodb, credentials: { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' } }),
      cloud.emulatorHeaders.dynamodb,
    ),
  )
  const body = Buffer.alloc(1024, 7)
  const key = (i: number) => `${user.identityId}/bench/${i % 50}.bin`
  const item = (i: number) => ({ identityId: user.identityId, key: `bench-${i % 50}`, value: 'x'.repeat(100) })
  const itemKey = (i: number) => ({ identityId: user.identityId, key: `bench-${i % 50}` })
  const out = [
    await interleavedRow(
      'S3 PutObject 1 KiB: through the gateway vs the engine called in process',
      rounds,
      (i) => user.s3.send(new PutObjectCommand({ Bucket, Key: key(i), Body: body })),
      (i) =>
        engine.putObject({ bucket: Bucket, key: key(i), body: Readable.from([body]), headers: { metadata: {} }, integrity: { expectedLength: body.length } }),
    ),
    await interleavedRow(
      'S3 GetObject 1 KiB: through the gateway vs the engine called in process',
      rounds,
      async (i) => (await user.s3.send(new GetObjectCommand({ Bucket, Key: key(i) }))).Body?.transformToByteArray(),
      async (i) => {
        const { body: stream } = await engine.getObject({ bucket: Bucket, key: key(i) })
        for await (const _ of stream ?? []) {
          // drain
        }
      },
    ),
    await interleavedRow(
      'DynamoDB PutItem: through the gateway vs straight to dynalite',
      rounds,
      (i) => user.ddb.send(new PutCommand({ TableName, Item: item(i) })),
      (i) => directDdb.send(new PutCommand({ TableName, Item: item(i) })),
    ),
    await interleavedRow(
      'DynamoDB GetItem: through the gateway vs straight to dynalite',
      rounds,
      (i) => user.ddb.send(new GetCommand({ TableName, Key: itemKey(i) })),
      (i) => directDdb.send(new GetCommand({ TableName, Key: itemKey(i) })),
    ),
  ]
  user.s3.destroy()
  user.ddb.destroy()
  directDdb.destroy()
  return out
}

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  options.log('  boot')
  const out = [await bootRow(options.quick ? 1 : 3)]
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-'))
  const cloud = await startLocalCloud({ dataDir })
  try {
    options.log('  gateway vs direct')
    out.push(...(await gatewayRows(cloud, dataDir, options.quick ? 50 : 300)))
  } finally {
    await cloud.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return out
}

await runIfMain(import.meta.url, 'Local cloud', rows)
