/**
 * Starts one local cloud for the whole test run, on free ports with a throw-away data
 * directory, and hands its details to every test file through `inject('cloud')`. With
 * `WHIMSY_TEST_DYNAMODB=dynamodb-local` its DynamoDB is AWS's DynamoDB Local, not dynalite.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalCloud } from '@whimsy/local-cloud'
import type { TestProject } from 'vitest/node'
import type { CloudInfo } from './cloud-info.js'
import { startDynamoDbLocal } from './dynamodb-local.js'

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-test-'))
  const engine = process.env.WHIMSY_TEST_DYNAMODB === 'dynamodb-local' ? await startDynamoDbLocal() : undefined
  const cloud = await startLocalCloud({ dataDir, dynamodbEndpoint: engine?.url })
  // The suites sign in with the password flow: SRP costs about 0.2 s of CPU per sign-in on both
  // ends, and hundreds of sign-ins share two cores. The SDK's default, and the local cloud's
  // own config.json, stay SRP; `packages/sdk/test/srp.test.ts` runs that path end to end.
  const config = { ...cloud.config, authFlow: 'USER_PASSWORD_AUTH' as const }
  const info: CloudInfo = { config, urls: cloud.urls, admin: cloud.admin, dataDir, handlesTable: cloud.handlesTable }
  project.provide('cloud', info)
  return async () => {
    await cloud.stop()
    await engine?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
