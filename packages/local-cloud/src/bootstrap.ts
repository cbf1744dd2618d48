/**
 * Creates, on first start, what production's stack would: the user pool and its app client,
 * the bucket and the table. Later starts find them and change nothing.
 */
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider'
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type TableDescription,
  ResourceNotFoundException as TableNotFound,
} from '@aws-sdk/client-dynamodb'
import { PASSWORD_POLICY as SHARED_PASSWORD_POLICY } from '@whimsy/infra/password-policy'
import type { PasswordPolicy } from '@whimsy/sdk/config'
import { type EmulatorHeaders, withEmulatorHeaders } from './emulator-access.js'
import { type S3Engine, S3Error } from './s3/engine/types.js'
import type { LocalCloudState } from './state.js'

/** Emulators take any key; these never leave the local cloud's own process. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' }

/** The production pool's password rules, from their one definition (infra), for the local pool too. */
export const PASSWORD_POLICY: PasswordPolicy = SHARED_PASSWORD_POLICY

export interface BootstrapInput {
  region: string
  bucket: string
  table: string
  emulators: { dynamodb: string; cognito: string }
  emulatorHeaders?: EmulatorHeaders
  state: LocalCloudState
}

export async function ensureUserPool({ region, emulators, emulatorHeaders, state }: BootstrapInput): Promise<{ userPoolId: string; userPoolClientId: string }> {
  const client = withEmulatorHeaders(
    new CognitoIdentityProviderClient({ region, endpoint: emulators.cognito, credentials: EMULATOR_CREDENTIALS }),
    emulatorHeaders?.cognito,
  )
  try {
    if (state.userPoolId && state.userPoolClientId) {
      try {
        await client.send(new DescribeUserPoolCommand({ UserPoolId: state.userPoolId }))
        return { userPoolId: state.userPoolId, userPoolClientId: state.userPoolClientId }
      } catch (e) {
        if (!(e instanceof ResourceNotFoundException)) throw e
      }
    }
    const pool = await client.send(
      new CreateUserPoolCommand({
        PoolName: 'whimsy-local',
        AutoVerifiedAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        Policies: {
          PasswordPolicy: {
            MinimumLength: PASSWORD_POLICY.minimumLength,
            RequireLowercase: PASSWORD_POLICY.requireLowercase,
            RequireUppercase: PASSWORD_POLICY.requireUppercase,
            RequireNumbers: PASSWORD_POLICY.requireNumbers,
            RequireSymbols: PASSWORD_POLICY.requireSymbols,
          },
        },
      }),
    )
    const userPoolId = pool.UserPool?.Id as string
    const app = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'whimsy-web',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    )
    return { userPoolId, userPoolClientId: app.UserPoolClient?.ClientId as string }
  } finally {
    client.destroy()
  }
}

/** The files bucket, versioned as production's is (users list and read their history). */
export async function ensureBucket(engine: S3Engine, bucket: string): Promise<void> {
  try {
    await engine.headBucket(bucket)
  } catch (e) {
    if (!(e instanceof S3Error && e.code === 'NoSuchBucket')) throw e
    await engine.createBucket(bucket)
  }
  if ((await engine.getVersioning(bucket)) !== 'Enabled') await engine.setVersioning(bucket, 'Enabled')
}

/** The key-value table: partition key `identityId`, sort key `key`, as in production. */
export async function ensureTable({ region, table, emulators, emulatorHeaders }: BootstrapInput): Promise<{ partitionKey: string }> {
  const ddb = withEmulatorHeaders(new DynamoDBClient({ region, endpoint: emulators.dynamodb, credentials: EMULATOR_CREDENTIALS }), emulatorHeaders?.dynamodb)
  try {
    let description: TableDescription | undefined
    try {
      description = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table
    } catch (e) {
      if (!(e instanceof TableNotFound)) throw e
      description = (
        await ddb.send(
          new CreateTableCommand({
            TableName: table,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: 'identityId', AttributeType: 'S' },
              { AttributeName: 'key', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'identityId', KeyType: 'HASH' },
              { AttributeName: 'key', KeyType: 'RANGE' },
            ],
          }),
        )
      ).TableDescription
    }
    const hash = description?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName
    return { partitionKey: hash ?? 'identityId' }
  } finally {
    ddb.destroy()
  }
}

/**
 * The handle registry's own table (partition key `pk`, see `@whimsy/sites`' registry). Kept
 * apart from the data table so that no user policy can ever grant it.
 */
export async function ensureHandlesTable({ region, emulators, emulatorHeaders }: BootstrapInput, name: string): Promise<void> {
  const ddb = withEmulatorHeaders(new DynamoDBClient({ region, endpoint: emulators.dynamodb, credentials: EMULATOR_CREDENTIALS }), emulatorHeaders?.dynamodb)
  try {
    await ddb.send(new DescribeTableCommand({ TableName: name }))
  } catch (e) {
    if (!(e instanceof TableNotFound)) throw e
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    )
  } finally {
    ddb.destroy()
  }
}

/**
 * The change log (issue 15): partition key `identityId`, numeric sort key `seq` (see
 * `@whimsy/change-feed`'s change-log.ts). Users may only read their partition.
 */
export async function ensureChangeLogTable({ region, emulators, emulatorHeaders }: BootstrapInput, name: string): Promise<void> {
  const ddb = withEmulatorHeaders(new DynamoDBClient({ region, endpoint: emulators.dynamodb, credentials: EMULATOR_CREDENTIALS }), emulatorHeaders?.dynamodb)
  try {
    await ddb.send(new DescribeTableCommand({ TableName: name }))
  } catch (e) {
    if (!(e instanceof TableNotFound)) throw e
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'identityId', AttributeType: 'S' },
          { AttributeName: 'seq', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'identityId', KeyType: 'HASH' },
          { AttributeName: 'seq', KeyType: 'RANGE' },
        ],
      }),
    )
  } finally {
    ddb.destroy()
  }
}

/** The trusted client of the local cloud's own DynamoDB writes (the feed writer). */
export function trustedDynamoDb(region: string, endpoint: string, headers: Record<string, string> | undefined): DynamoDBClient {
  return withEmulatorHeaders(new DynamoDBClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS }), headers)
}
