/**
 * The change feed (issue 15) in production: the change log table, the feed writer Lambda fed
 * by the files bucket's event notifications and the key-value table's stream, and the push
 * channel, an AppSync Events API (why AppSync Events and not API Gateway WebSockets:
 * infra/README.md). The writer's code is `@whimsy/change-feed`, the one the local cloud runs.
 *
 * Bucket notifications are set on the L1 bucket rather than with `addEventNotification`, which
 * deploys a custom-resource Lambda of its own; the invoke permission names the bucket by its
 * deterministic ARN, so the bucket can depend on it without a cycle.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import * as appsync from 'aws-cdk-lib/aws-appsync'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources'
import * as logs from 'aws-cdk-lib/aws-logs'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { bundleLambda } from './lambda-bundle.js'
import { BASIC_EXECUTION_ROLE } from './nag-acknowledgements.js'
import { CHANGE_CHANNEL_NAMESPACE } from './policies.js'

/** How long the log keeps an entry: a device offline longer gets "resync". */
export const CHANGE_RETENTION_SECONDS = 14 * 24 * 3600

/** The stack output naming the queue of changes the writer could not append (see infra/README.md). */
export const DEAD_LETTERS_OUTPUT = 'WhimsyChangeFeedDeadLetters'

/**
 * The namespace's subscribe handler (APPSYNC_JS): a caller may subscribe only to the channel
 * named for their own identityId (`@whimsy/change-feed`'s channel-name.ts: region, `-`, the
 * uuid's hex digits). `util.unauthorized()` refuses the subscription.
 */
export const SUBSCRIBE_HANDLER = `import { util } from '@aws-appsync/utils'
export function onSubscribe(ctx) {
  const id = ctx.identity && ctx.identity.cognitoIdentityId
  if (!id) return util.unauthorized()
  const parts = id.split(':')
  const own = '/${CHANGE_CHANNEL_NAMESPACE}/' + parts[0] + '-' + (parts[1] || '').split('-').join('')
  if (parts.length !== 2 || ctx.info.channel.path !== own) return util.unauthorized()
}
export function onPublish(ctx) {
  return ctx.events
}
`

export interface ChangeFeedProps {
  prefix: string
  bucket: s3.Bucket
  bucketName: string
  kvTable: dynamodb.Table
}

export class ChangeFeed extends Construct {
  readonly table: dynamodb.Table
  readonly api: appsync.EventApi
  readonly fn: lambda.Function
  /** What the writer failed to append after its retries: S3 events whole, stream batches by their range. */
  readonly deadLetters: sqs.Queue

  constructor(scope: Construct, id: string, props: ChangeFeedProps) {
    super(scope, id)
    // Partition identityId, numeric sort key seq: as the local cloud's (bootstrap.ts).
    this.table = new dynamodb.Table(this, 'Log', {
      tableName: `${props.prefix}-changes`,
      partitionKey: { name: 'identityId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'seq', type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    })

    this.api = new appsync.EventApi(this, 'Channel', {
      apiName: `${props.prefix}-changes`,
      authorizationConfig: {
        authProviders: [{ authorizationType: appsync.AppSyncAuthorizationType.IAM }],
        connectionAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
        defaultPublishAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
        defaultSubscribeAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
      },
    })
    this.api.addChannelNamespace(CHANGE_CHANNEL_NAMESPACE, { code: appsync.Code.fromInline(SUBSCRIBE_HANDLER) })

    const bundle = bundleLambda({ entry: 'packages/change-feed/src/lambda.ts', name: `${props.prefix}-change-feed` })
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })
    this.fn = new lambda.Function(this, 'Writer', {
      functionName: `${props.prefix}-change-feed`,
      description: 'Change feed writer: appends committed file and key-value changes to their owners’ logs (@whimsy/change-feed)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundle.dir),
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup,
      environment: {
        WHIMSY_CHANGES_TABLE: this.table.tableName,
        WHIMSY_EVENTS_HTTP: `https://${this.api.httpDns}/event`,
        WHIMSY_RETENTION_SECONDS: String(CHANGE_RETENTION_SECONDS),
      },
    })
    Validations.of(this.fn).acknowledge({ id: BASIC_EXECUTION_ROLE, reason: 'AWSLambdaBasicExecutionRole only writes the function’s own logs' })
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams, which the DynamoDB event source adds, has no resource-level permissions',
    })
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node 22 is a supported Lambda runtime; the code is built for and tested on Node 20 (CI), and moves to 24 with CI',
    })
    // The writer's calls (writer.ts) and nothing else; it is the log's only writer.
    this.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query')
    // Its batched reads and writes (the key heads of a batch, the entries of a batch).
    this.table.grant(this.fn, 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem')
    // Publish on the one namespace (grantPublish would name every namespace, `channelNamespace/*`).
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['appsync:EventPublish'], resources: [`${this.api.apiArn}/channelNamespace/${CHANGE_CHANNEL_NAMESPACE}`] }),
    )

    // A change the writer cannot append must not vanish: after the retries it lands here, kept
    // as long as the log keeps entries, and the alarm says so. S3 invokes asynchronously, so the
    // failed event itself is the message; the stream's message names the failed batch's range,
    // to be read again from the stream (24 h) — infra/README.md says how to redrive both.
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      queueName: `${props.prefix}-change-feed-dead-letters`,
      retentionPeriod: Duration.seconds(CHANGE_RETENTION_SECONDS),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    })
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the change feed writer' })
    this.fn.configureAsyncInvoke({ onFailure: new SqsDestination(this.deadLetters), retryAttempts: 2, maxEventAge: Duration.hours(6) })
    new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.prefix}-change-feed-dead-letters`,
      alarmDescription: 'The change feed writer gave up on changes: they are missing from their owners’ logs until redriven (infra/README.md)',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })
    new CfnOutput(this, 'DeadLettersOutput', {
      key: DEAD_LETTERS_OUTPUT,
      value: this.deadLetters.queueUrl,
      description: 'Changes the feed writer could not append',
    })

    // The key-value table's stream (its owner turns it on: data-stack.ts).
    this.fn.addEventSource(
      new DynamoEventSource(props.kvTable, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        retryAttempts: 20,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.deadLetters),
      }),
    )

    // The files bucket's notifications: every created and removed object.
    const bucketArn = `arn:${Stack.of(this).partition}:s3:::${props.bucketName}`
    const permission = new lambda.CfnPermission(this, 'InvokeFromBucket', {
      action: 'lambda:InvokeFunction',
      functionName: this.fn.functionArn,
      principal: 's3.amazonaws.com',
      sourceArn: bucketArn,
      sourceAccount: Stack.of(this).account,
    })
    const cfnBucket = props.bucket.node.defaultChild as s3.CfnBucket
    cfnBucket.notificationConfiguration = {
      lambdaConfigurations: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'].map((event) => ({ event, function: this.fn.functionArn })),
    }
    cfnBucket.addDependency(permission)
  }
}
