/**
 * The change feed's production resources (issue 15), synthesized: the log table, the writer's
 * sources (bucket notifications, the key-value stream) and its narrow role, the AppSync Events
 * channel with its subscribe handler run here on real channel names, and the authenticated
 * role's change-feed policy as synthesized, evaluated by the local cloud's IAM evaluator.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb'
import { channelFor } from '@whimsy/change-feed/channel-name'
import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { type Caller, evaluate } from '../../packages/local-cloud/src/iam/evaluate.js'
import { SUBSCRIBE_HANDLER } from './change-feed.js'
import { infraPath } from './lambda-bundle.js'
import type { PolicyDocument } from './policies.js'
import { resolver } from './testing/intrinsics.js'
import { resourcesOf, type Synthesized, synthesize } from './testing/synth.js'

const ACCOUNT = '111111111111'
const REGION = 'eu-west-1'
const ME = `${REGION}:11111111-1111-4111-8111-111111111111`
const OTHER = `${REGION}:22222222-2222-4222-8222-222222222222`

let s: Synthesized
let resolve: (value: unknown) => unknown
let logArn: string
let apiArn: string

beforeAll(() => {
  s = synthesize()
  const pools = Object.fromEntries(resourcesOf(s.dataJson, 'AWS::Cognito::IdentityPool').map(([id]) => [id, `${REGION}:00000000-0000-4000-8000-000000000000`]))
  const crossRegion = new Proxy({}, { get: (_t, name) => `cross-region-${String(name)}` }) as Record<string, string>
  const [kvId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => JSON.stringify(t.Properties?.TableName).includes('-kv'))!
  const attributes = { [`${kvId}.StreamArn`]: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/whimsy-test-kv/stream/2026-01-01T00:00:00.000` }
  resolve = resolver(s.dataJson, { account: ACCOUNT, region: REGION, refs: pools, crossRegion, attributes })
  const [logId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => JSON.stringify(t.Properties?.TableName).includes('-changes'))!
  logArn = resolve({ 'Fn::GetAtt': [logId, 'Arn'] }) as string
  const [api] = resourcesOf(s.dataJson, 'AWS::AppSync::Api')[0]!
  apiArn = resolve({ 'Fn::GetAtt': [api, 'ApiArn'] }) as string
})

describe('the change log and its writer', () => {
  it('the log: partition identityId, numeric seq, TTL on expiresAt, on demand, retained', () => {
    s.data.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        TableName: 'whimsy-test-changes',
        KeySchema: [
          { AttributeName: 'identityId', KeyType: 'HASH' },
          { AttributeName: 'seq', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'identityId', AttributeType: 'S' },
          { AttributeName: 'seq', AttributeType: 'N' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
      DeletionPolicy: 'Retain',
    })
  })

  it('the writer hears every created and removed object of the files bucket, and the key-value stream', () => {
    s.data.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: {
        LambdaConfigurations: [
          { Event: 's3:ObjectCreated:*', Function: Match.anyValue() },
          { Event: 's3:ObjectRemoved:*', Function: Match.anyValue() },
        ],
      },
    })
    s.data.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 's3.amazonaws.com',
      SourceArn: Match.anyValue(),
      SourceAccount: Match.anyValue(),
    })
    s.data.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'whimsy-test-kv', StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } })
    s.data.hasResourceProperties('AWS::Lambda::EventSourceMapping', { StartingPosition: 'TRIM_HORIZON', BisectBatchOnFunctionError: true })
  })

  it('the writer may write the log and publish on the changes namespace, and nothing else', () => {
    const [fnId] = resourcesOf(s.dataJson, 'AWS::Lambda::Function').find(([, f]) => f.Properties?.FunctionName === 'whimsy-test-change-feed')!
    const roleRef = JSON.stringify((s.dataJson.Resources[fnId]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0])
    const statements = resourcesOf(s.dataJson, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles).includes(roleRef))
      .flatMap(([, p]) => (resolve(p.Properties?.PolicyDocument) as PolicyDocument).Statement)
    const writes = statements.filter((st) => [st.Action].flat().some((a) => /Put|Update|Delete|Publish/.test(String(a))))
    const kinds = writes.map((st) => [st.Action].flat().join(','))
    expect(kinds).toEqual(['dynamodb:GetItem,dynamodb:PutItem,dynamodb:UpdateItem,dynamodb:DeleteItem,dynamodb:Query', 'appsync:EventPublish'])
    expect([writes[0]?.Resource].flat()[0]).toBe(logArn)
    expect(writes[1]?.Resource).toBe(`${apiArn}/channelNamespace/changes`)
  })
})

describe('the channel', () => {
  it('an AppSync Events API with IAM auth only, and the namespace "changes" with the subscribe handler', () => {
    s.data.hasResourceProperties('AWS::AppSync::Api', {
      EventConfig: Match.objectLike({ AuthProviders: [{ AuthType: 'AWS_IAM' }], ConnectionAuthModes: [{ AuthType: 'AWS_IAM' }] }),
    })
    s.data.hasResourceProperties('AWS::AppSync::ChannelNamespace', { Name: 'changes', CodeHandlers: SUBSCRIBE_HANDLER })
  })

  /** Runs the handler as AppSync would, with its `util.unauthorized()`. */
  function subscribes(identityId: string | undefined, channel: string): boolean {
    const source = SUBSCRIBE_HANDLER.replace(/^import .*$/m, '').replace(/export function/g, 'function')
    const util = {
      unauthorized: () => {
        throw new Error('Unauthorized')
      },
    }
    const onSubscribe = new Function('util', `${source}; return onSubscribe`)(util) as (ctx: unknown) => void
    try {
      onSubscribe({
        identity: identityId ? { cognitoIdentityId: identityId } : undefined,
        info: { channel: { path: channel, segments: channel.split('/').slice(1) } },
      })
      return true
    } catch {
      return false
    }
  }

  it('a caller subscribes to their own channel only; channel names fit AppSync (segments of at most 50)', () => {
    const mine = channelFor(ME) as string
    expect(subscribes(ME, mine)).toBe(true)
    expect(subscribes(OTHER, mine)).toBe(false)
    expect(subscribes(undefined, mine)).toBe(false)
    expect(subscribes(ME, '/changes/*')).toBe(false)
    const longest = channelFor('ap-southeast-2:ffffffff-ffff-4fff-bfff-ffffffffffff') as string
    for (const segment of longest.split('/').slice(1)) expect(segment).toMatch(/^[A-Za-z0-9-]{1,50}$/)
  })
})

describe("the authenticated role's change-feed policy, as synthesized", () => {
  let docs: PolicyDocument[]
  beforeAll(() => {
    docs = resourcesOf(s.dataJson, 'AWS::IAM::ManagedPolicy')
      .filter(([, p]) => JSON.stringify(p.Properties?.ManagedPolicyName).includes('own-changes'))
      .map(([, p]) => resolve(p.Properties?.PolicyDocument) as PolicyDocument)
    expect(docs).toHaveLength(1)
  })
  const caller = (sub: string): Caller => ({ variables: { 'cognito-identity.amazonaws.com:sub': sub } })
  const on = (action: string, keys: string[]) => ({ action, resource: logArn, context: { 'dynamodb:LeadingKeys': keys } })

  it('the owner may Query and GetItem their own log; another user may not; nobody may write', () => {
    expect(evaluate(on('dynamodb:Query', [ME]), caller(ME), docs, [])).toBe('Allow')
    expect(evaluate(on('dynamodb:GetItem', [ME]), caller(ME), docs, [])).toBe('Allow')
    expect(evaluate(on('dynamodb:Query', [ME]), caller(OTHER), docs, [])).not.toBe('Allow')
    expect(evaluate({ action: 'dynamodb:Scan', resource: logArn, context: {} }, caller(ME), docs, [])).not.toBe('Allow')
    for (const write of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
      expect(evaluate(on(`dynamodb:${write}`, [ME]), caller(ME), docs, [])).not.toBe('Allow')
  })

  it('users may connect and subscribe, never publish', () => {
    expect(evaluate({ action: 'appsync:EventConnect', resource: apiArn, context: {} }, caller(ME), docs, [])).toBe('Allow')
    expect(evaluate({ action: 'appsync:EventSubscribe', resource: `${apiArn}/channelNamespace/changes`, context: {} }, caller(ME), docs, [])).toBe('Allow')
    expect(evaluate({ action: 'appsync:EventPublish', resource: `${apiArn}/channelNamespace/changes`, context: {} }, caller(ME), docs, [])).not.toBe('Allow')
  })

  it('the configuration the feed adds: the log table and the channel endpoints, accepted by the SDK', () => {
    const output = (s.dataJson as { Outputs?: Record<string, { Value: unknown }> }).Outputs?.WhimsyChangeFeed
    const changes = JSON.parse(String(resolve(output?.Value)))
    expect(changes).toEqual({
      table: 'whimsy-test-changes',
      http: expect.stringMatching(/^https:\/\/[a-z0-9]+\.appsync-api\.eu-west-1\.amazonaws\.com\/event$/),
      realtime: expect.stringMatching(/^wss:\/\/[a-z0-9]+\.appsync-realtime-api\.eu-west-1\.amazonaws\.com\/event\/realtime$/),
    })
  })
})

describe('the writer bundle', () => {
  it("loads and runs on this Node: S3 records into the (local) log, then a signed publish of { head } on the owner's channel", async () => {
    const cloud = inject('cloud')
    const published: { headers: Record<string, unknown>; body: string }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        published.push({ headers: req.headers, body })
        res.end('{}')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    const saved = { ...process.env }
    Object.assign(process.env, {
      AWS_REGION: cloud.config.region,
      AWS_ENDPOINT_URL_DYNAMODB: cloud.config.endpoints?.dynamodb,
      AWS_ACCESS_KEY_ID: cloud.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cloud.admin.secretAccessKey,
      WHIMSY_CHANGES_TABLE: cloud.config.changes?.table,
      WHIMSY_EVENTS_HTTP: `http://127.0.0.1:${port}/event`,
    })
    delete process.env.AWS_SESSION_TOKEN
    try {
      const writer = (await import(pathToFileURL(join(infraPath('dist', 'bundles', 'whimsy-test-change-feed'), 'index.mjs')).href)) as {
        handler: (e: unknown) => Promise<void>
      }
      const owner = `us-east-1:${randomUUID()}`
      const record = {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: '2026-12-01T12:00:00.000Z',
        s3: { object: { key: `${owner}/a.txt`, size: 1, eTag: 'e', sequencer: '01' } },
      }
      await writer.handler({ Records: [record, { ...record, eventSource: 'aws:sqs' }] })
      await writer.handler({ Records: [record] })
      const ddb = new DynamoDBClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.dynamodb, credentials: cloud.admin })
      const log = await ddb.send(
        new QueryCommand({
          TableName: cloud.config.changes?.table,
          KeyConditionExpression: 'identityId = :id AND seq > :z',
          ExpressionAttributeValues: { ':id': { S: owner }, ':z': { N: '0' } },
        }),
      )
      ddb.destroy()
      expect(log.Items?.map((i) => i.path?.S)).toEqual(['/a.txt'])
      expect(published).toHaveLength(1)
      expect(JSON.parse(published[0]?.body ?? '')).toEqual({ channel: channelFor(owner), events: ['{"head":1}'] })
      expect(String(published[0]?.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=.*\/appsync\/aws4_request/)
    } finally {
      process.env = saved
      server.close()
    }
  })
})
