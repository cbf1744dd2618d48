/**
 * The local cloud as benchmarks use it: started on 127.0.0.1 in a throw-away data directory,
 * either in this process (to reach the S3 engine under the HTTP layer) or in a child process
 * of its own (so this process's memory is the client's alone), and one user signed in through
 * the SDK, with raw AWS clients holding that user's credentials.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { AwsCredentialIdentity } from '@smithy/types'
import { type LocalCloud, startLocalCloud } from '@whimsy/local-cloud'
import { createWhimsy, memoryStorage, type Whimsy } from '@whimsy/sdk'
import { sessionOf } from '../packages/sdk/src/auth/session-access.js'
import type { CloudInfo } from '../test/cloud-info.js'
import { createUser, latestCode, PASSWORD } from '../test/users.js'
import { type SeedOptions, seedStoppedCloud } from './seed.js'

export interface InProcessCloud {
  cloud: LocalCloud
  info: CloudInfo
  stop(): Promise<void>
}

export async function startBenchCloud(dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-'))): Promise<InProcessCloud> {
  const cloud = await startLocalCloud({ dataDir })
  return {
    cloud,
    info: { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir },
    async stop() {
      await cloud.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface SeededCloud extends InProcessCloud {
  /** The owner of the seeded folders: signed up before the seeding, not signed in anywhere yet. */
  user: { username: string; password: string; identityId: string }
}

/**
 * A local cloud whose user `username` owns the folders `folders(identityId)` returns, seeded in
 * bulk (`seedStoppedCloud`): the cloud starts once to sign the user up (their identityId names
 * the folders), stops for the seeding, and starts again on the same data directory.
 */
export async function startSeededCloud(username: string, folders: (identityId: string) => SeedOptions[]): Promise<SeededCloud> {
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-'))
  try {
    const first = await startLocalCloud({ dataDir })
    let user: SeededCloud['user']
    try {
      const created = await createUser({ config: first.config, urls: first.urls, admin: first.admin, dataDir }, username)
      created.s3.destroy()
      created.ddb.destroy()
      user = { username: created.username, password: created.password, identityId: created.identityId }
    } finally {
      await first.stop()
    }
    await seedStoppedCloud(dataDir, first.config.region, first.config.bucket, folders(user.identityId))
    return { ...(await startBenchCloud(dataDir)), user }
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  }
}

/** The folders every seeded bench cloud has: `/f1000`, `/f10000` and, in a full run, `/f100000`. */
export const seededFolders = (quick: boolean) => (quick ? [1000, 10_000] : [1000, 10_000, 100_000])

/** What `BENCH_SHARED_CLOUD` holds: the cloud `run.ts` started for the providers marked `sharedCloud`. */
export const SHARED_CLOUD_ENV = 'BENCH_SHARED_CLOUD'

export interface SharedCloud {
  info: CloudInfo
  /** The owner of the seeded folders (`seededFolders`): signed up, not signed in anywhere. */
  user: { username: string; password: string; identityId: string }
  /** Stops the cloud if this provider started it; the runner's shared cloud outlives the provider. */
  stop(): Promise<void>
}

/**
 * The cloud `run.ts` shares between providers (seeded once, in bulk, and reused), or, when a
 * provider runs alone, one of its own seeded the same way.
 */
export async function sharedCloud(quick: boolean): Promise<SharedCloud> {
  const given = runnersCloud()
  if (given) return given
  const own = await startSeededCloud('bench', (id) => seededFolders(quick).map((n) => ({ prefix: `${id}/f${n}/`, count: n })))
  return { info: own.info, user: own.user, stop: own.stop }
}

/** The runner's shared cloud (in a process of its own) when this provider was given it; `stop` leaves it running. */
export function runnersCloud(): SharedCloud | undefined {
  const given = process.env[SHARED_CLOUD_ENV]
  if (!given) return undefined
  const { seeded, ...info } = JSON.parse(given) as CloudProcess['info']
  if (!seeded) throw new Error(`${SHARED_CLOUD_ENV} names a cloud without seeded folders`)
  return { info, user: seeded, stop: async () => {} }
}

export interface CloudProcess {
  info: CloudInfo & { seeded?: SharedCloud['user'] & { folders: number[] } }
  pid: number
  stop(): Promise<void>
}

/** The local cloud in a child process (`cloud-process.ts`), stopped by closing its stdin, then by its PID. */
export async function startCloudProcess(args: string[] = []): Promise<CloudProcess> {
  const script = fileURLToPath(new URL('./cloud-process.ts', import.meta.url))
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`the local cloud process exited with ${code} before it was ready`)))
  })
  const exited = new Promise((r) => child.once('exit', r))
  return {
    info: JSON.parse(line) as CloudInfo & { seeded?: SharedCloud['user'] & { folders: number[] } },
    pid: child.pid as number,
    async stop() {
      child.stdin?.end()
      const killer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
    },
  }
}

export interface BenchUser {
  whimsy: Whimsy
  identityId: string
  credentials: AwsCredentialIdentity
  /** Raw clients on the same endpoints with the same credentials (fetched once: the SDK caches its own too). */
  s3: S3Client
  ddb: DynamoDBDocumentClient
}

/** A new user, signed up and signed in through the SDK. */
export async function signedInUser(info: CloudInfo, username: string): Promise<BenchUser> {
  const whimsy = createWhimsy(info.config, { storage: memoryStorage() })
  await whimsy.auth.signUp({ username, email: `${username}@example.com`, password: PASSWORD })
  await whimsy.auth.confirmSignUp({ username, code: await latestCode(info, username) })
  return signedInAs(info, username, whimsy)
}

/** An existing user (e.g. a `SeededCloud`'s), signed in through the SDK. */
export async function signedInAs(info: CloudInfo, username: string, whimsy = createWhimsy(info.config, { storage: memoryStorage() })): Promise<BenchUser> {
  const { identityId } = await whimsy.auth.signIn({ username, password: PASSWORD })
  const credentials = await sessionOf(whimsy.auth).credentials()
  const { region, endpoints } = info.config
  const s3 = new S3Client({ region, endpoint: endpoints?.s3, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' })
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint: endpoints?.dynamodb, credentials }))
  return { whimsy, identityId, credentials, s3, ddb }
}
