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
import type { CloudInfo } from '../test/cloud-info.js'
import { latestCode, PASSWORD } from '../test/users.js'

export interface InProcessCloud {
  cloud: LocalCloud
  info: CloudInfo
  stop(): Promise<void>
}

export async function startBenchCloud(): Promise<InProcessCloud> {
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-'))
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

export interface CloudProcess {
  info: CloudInfo
  pid: number
  stop(): Promise<void>
}

/** The local cloud in a child process (`cloud-process.ts`), stopped by closing its stdin, then by its PID. */
export async function startCloudProcess(): Promise<CloudProcess> {
  const script = fileURLToPath(new URL('./cloud-process.ts', import.meta.url))
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`the local cloud process exited with ${code} before it was ready`)))
  })
  const exited = new Promise((r) => child.once('exit', r))
  return {
    info: JSON.parse(line) as CloudInfo,
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

export async function signedInUser(info: CloudInfo, username: string): Promise<BenchUser> {
  const whimsy = createWhimsy(info.config, { storage: memoryStorage() })
  await whimsy.auth.signUp({ username, email: `${username}@example.com`, password: PASSWORD })
  await whimsy.auth.confirmSignUp({ username, code: await latestCode(info, username) })
  const { identityId } = await whimsy.auth.signIn({ username, password: PASSWORD })
  const credentials = await whimsy.auth.credentials()
  const { region, endpoints } = info.config
  const s3 = new S3Client({ region, endpoint: endpoints?.s3, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' })
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint: endpoints?.dynamodb, credentials }))
  return { whimsy, identityId, credentials, s3, ddb }
}
