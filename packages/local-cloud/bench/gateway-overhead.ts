/**
 * Local cloud: how long it takes to boot, and what the gateway (SigV4 check + policy
 * evaluation + proxy) costs per request. The same S3 and DynamoDB calls, made with the same
 * SDK clients, through the gateway and straight to the store (the S3 engine's own calls,
 * DynamoDB's emulator), alternating call by call. Boot is compared with the emulators it starts,
 * started alone. A row provider of `npm run bench`;
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
import { type BenchOptions, type BenchRow, interleavedRow, median, row, rowList } from '../../../bench/rows.js'
import { runIfMain } from '../../../bench/standalone.js'
import { createUser } from '../../../test/users.js'
import { withEmulatorHeaders } from '../src/emulator-access.js'
import { startEmulator } from '../src/emulators/emulators.js'
import { type LocalCloud, startLocalCloud } from '../src/index.js'
import { loadUserPoolKey } from '../src/user-pool-key.js'

/**
 * Boot to ready on a fresh data directory, alternating with the baseline: the two emulators the
 * local cloud waits on (dynalite and cognito-local, started in parallel to listening), so the
 * ratio is what the engine, the gateway and the bootstrap add on top of them.
 */
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
    const bootEmulators = async () => {
      const dir = mkdtempSync(join(tmpdir(), 'whimsy-bench-boot-emulators-'))
      try {
        const t = performance.now()
        // Given what the local cloud gives them: cognito-local refuses to start without the pool's signing key.
        const init = { upstreamSecret: 'bench', signingKey: loadUserPoolKey(dir) }
        const started = await Promise.all(
          (['dynamodb', 'cognito'] as const).map((kind) => startEmulator({ kind, dataDir: join(dir, kind), logDir: join(dir, 'logs'), init })),
        )
        baseline.push(performance.now() - t)
        await Promise.all(started.map((e) => e.stop()))
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
    for (const boot of i % 2 ? [bootEmulators, bootCloud] : [bootCloud, bootEmulators]) await boot()
  }
  return row(
    'boot to ready, fresh data directory: the local cloud vs its two emulators started alone',
    median(ours),
    median(baseline),
    'ms',
    rounds,
    'ours: the S3 engine, dynalite, cognito-local, the gateway, and the bucket, tables and user pool bootstrapped; baseline: dynalite + cognito-local listening',
  )
}

async function gatewayRows(out: BenchRow[], cloud: LocalCloud, dataDir: string, rounds: number): Promise<void> {
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
  out.push(
    await interleavedRow(
      'S3 PutObject 1 KiB: through the gateway vs the engine called in process',
      rounds,
      (i) => user.s3.send(new PutObjectCommand({ Bucket, Key: key(i), Body: body })),
      (i) =>
        engine.putObject({ bucket: Bucket, key: key(i), body: Readable.from([body]), headers: { metadata: {} }, integrity: { expectedLength: body.length } }),
    ),
  )
  out.push(
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
  )
  out.push(
    await interleavedRow(
      'DynamoDB PutItem: through the gateway vs straight to dynalite',
      rounds,
      (i) => user.ddb.send(new PutCommand({ TableName, Item: item(i) })),
      (i) => directDdb.send(new PutCommand({ TableName, Item: item(i) })),
    ),
  )
  out.push(
    await interleavedRow(
      'DynamoDB GetItem: through the gateway vs straight to dynalite',
      rounds,
      (i) => user.ddb.send(new GetCommand({ TableName, Key: itemKey(i) })),
      (i) => directDdb.send(new GetCommand({ TableName, Key: itemKey(i) })),
    ),
  )
  user.s3.destroy()
  user.ddb.destroy()
  directDdb.destroy()
}

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  options.log('  boot')
  const out = rowList(options)
  // Two boots a side: each is seconds long, and four of them were a third of this provider's time.
  out.push(await bootRow(options.quick ? 1 : 2))
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-'))
  const cloud = await startLocalCloud({ dataDir })
  try {
    options.log('  gateway vs direct')
    await gatewayRows(out, cloud, dataDir, options.quick ? 50 : 100)
  } finally {
    await cloud.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return out
}

await runIfMain(import.meta.url, 'Local cloud', rows)
