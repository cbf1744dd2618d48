/**
 * The change feed's failure path, synthesized (issue 15): a change the writer cannot append
 * after its retries must not vanish. S3's asynchronous invocations and the key-value stream's
 * batches end in one dead-letter queue kept as long as the log keeps entries, an alarm watches
 * it, and an output names it. The writer's role covers the batched calls writer.ts makes.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb'
import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { CHANGE_RETENTION_SECONDS, DEAD_LETTERS_OUTPUT } from './change-feed.js'
import { infraPath } from './lambda-bundle.js'
import type { PolicyDocument } from './policies.js'
import { resolver } from './testing/intrinsics.js'
import { resourcesOf, type Synthesized, synthesize } from './testing/synth.js'

let s: Synthesized
let queueId: string
let fnId: string
let statements: PolicyDocument['Statement']

beforeAll(() => {
  s = synthesize()
  const queues = resourcesOf(s.dataJson, 'AWS::SQS::Queue').filter(([, q]) => q.Properties?.QueueName === 'whimsy-test-change-feed-dead-letters')
  expect(queues).toHaveLength(1)
  queueId = (queues[0] as [string, unknown])[0]
  fnId = resourcesOf(s.dataJson, 'AWS::Lambda::Function').find(([, f]) => f.Properties?.FunctionName === 'whimsy-test-change-feed')?.[0] as string
  const roleRef = JSON.stringify((s.dataJson.Resources[fnId]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0])
  const pools = Object.fromEntries(resourcesOf(s.dataJson, 'AWS::Cognito::IdentityPool').map(([id]) => [id, 'eu-west-1:00000000-0000-4000-8000-000000000000']))
  const crossRegion = new Proxy({}, { get: (_t, name) => `cross-region-${String(name)}` }) as Record<string, string>
  const [kvId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => JSON.stringify(t.Properties?.TableName).includes('-kv'))!
  const attributes = { [`${kvId}.StreamArn`]: 'arn:aws:dynamodb:eu-west-1:111111111111:table/whimsy-test-kv/stream/2026-01-01T00:00:00.000' }
  const resolve = resolver(s.dataJson, { account: '111111111111', region: 'eu-west-1', refs: pools, crossRegion, attributes })
  statements = resourcesOf(s.dataJson, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles).includes(roleRef))
    .flatMap(([, p]) => (resolve(p.Properties?.PolicyDocument) as PolicyDocument).Statement)
})

const toQueue = { 'Fn::GetAtt': [expect.any(String), 'Arn'] }

describe('changes the writer could not append', () => {
  it('land in one queue, kept 14 days (as long as the log), encrypted, TLS only', () => {
    s.data.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'whimsy-test-change-feed-dead-letters',
      MessageRetentionPeriod: CHANGE_RETENTION_SECONDS,
      SqsManagedSseEnabled: true,
    })
    expect(CHANGE_RETENTION_SECONDS).toBe(14 * 24 * 3600)
    s.data.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      }),
    })
  })

  it("S3's asynchronous invocations: two retries within 6 hours, then the event itself goes to the queue", () => {
    s.data.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    })
  })

  it('the key-value stream: a failing batch is bisected, retried, and its range goes to the queue', () => {
    const mapping = resourcesOf(s.dataJson, 'AWS::Lambda::EventSourceMapping')
    expect(mapping).toHaveLength(1)
    expect(mapping[0]?.[1].Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 20,
      DestinationConfig: { OnFailure: { Destination: toQueue } },
    })
    expect(JSON.stringify(mapping[0]?.[1].Properties?.DestinationConfig)).toContain(queueId)
  })

  it('an alarm as soon as anything is in the queue, and an output naming it', () => {
    s.data.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'whimsy-test-change-feed-dead-letters',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    })
    expect(s.dataJson.Outputs?.[DEAD_LETTERS_OUTPUT]?.Value).toEqual({ Ref: queueId })
  })

  it("the writer's role may send to that queue only, and make the batched log calls writer.ts makes", () => {
    const sends = statements.filter((st) => [st.Action].flat().some((a) => String(a).startsWith('sqs:')))
    expect(sends.flatMap((st) => [st.Action].flat()).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'])
    for (const st of sends) expect([st.Resource].flat()).toEqual([expect.stringMatching(/:whimsy-test-change-feed-dead-letters$|^arn:aws:sqs:/)])
    const batched = statements.filter((st) => [st.Action].flat().includes('dynamodb:BatchWriteItem'))
    expect(batched.flatMap((st) => [st.Action].flat())).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'])
  })

  it('a dead letter of an S3 invocation is redriven by invoking the writer with it as it is', async () => {
    const cloud = inject('cloud')
    const channel = createServer((_req, res) => res.end('{}'))
    await new Promise<void>((r) => channel.listen(0, '127.0.0.1', r))
    const saved = { ...process.env }
    Object.assign(process.env, {
      AWS_REGION: cloud.config.region,
      AWS_ENDPOINT_URL_DYNAMODB: cloud.config.endpoints?.dynamodb,
      AWS_ACCESS_KEY_ID: cloud.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cloud.admin.secretAccessKey,
      WHIMSY_CHANGES_TABLE: cloud.config.changes?.table,
      WHIMSY_EVENTS_HTTP: `http://127.0.0.1:${(channel.address() as { port: number }).port}/event`,
    })
    delete process.env.AWS_SESSION_TOKEN
    try {
      const writer = (await import(pathToFileURL(join(infraPath('dist', 'bundles', 'whimsy-test-change-feed'), 'index.mjs')).href)) as {
        handler: (e: unknown) => Promise<void>
      }
      const owner = `us-east-1:${randomUUID()}`
      const event = {
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            eventTime: '2026-12-01T12:00:00.000Z',
            s3: { object: { key: `${owner}/lost.txt`, size: 4, eTag: 'e', sequencer: '0A' } },
          },
        ],
      }
      // What Lambda's on-failure destination puts in the queue for an asynchronous invocation.
      const deadLetter = {
        version: '1.0',
        requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
        requestPayload: event,
        responsePayload: { errorMessage: 'throttled' },
      }
      await writer.handler(deadLetter)
      await writer.handler(deadLetter)
      const ddb = new DynamoDBClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.dynamodb, credentials: cloud.admin })
      const log = await ddb.send(
        new QueryCommand({
          TableName: cloud.config.changes?.table,
          KeyConditionExpression: 'identityId = :id AND seq > :z',
          ExpressionAttributeValues: { ':id': { S: owner }, ':z': { N: '0' } },
          ConsistentRead: true,
        }),
      )
      ddb.destroy()
      expect(log.Items?.map((i) => [i.seq?.N, i.path?.S])).toEqual([['1', '/lost.txt']])
    } finally {
      process.env = saved
      channel.close()
    }
  })
})
