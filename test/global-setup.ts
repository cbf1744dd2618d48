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
  const info: CloudInfo = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir, handlesTable: cloud.handlesTable }
  project.provide('cloud', info)
  return async () => {
    await cloud.stop()
    await engine?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
