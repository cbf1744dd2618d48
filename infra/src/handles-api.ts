/**
 * The handle registry and its trusted claim function, behind an HTTP API on a custom domain.
 * A custom domain, not a function URL: the edge bakes the API's address in at synth, and a
 * function URL's host exists only after this stack deploys.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import * as acm from 'aws-cdk-lib/aws-certificatemanager'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as route53 from 'aws-cdk-lib/aws-route53'
import * as targets from 'aws-cdk-lib/aws-route53-targets'
import { Construct } from 'constructs'
import { bundleLambda } from './lambda-bundle.js'
import { BASIC_EXECUTION_ROLE } from './nag-acknowledgements.js'

export interface HandlesApiProps {
  prefix: string
  region: string
  domainName: string
  zone: route53.IHostedZone
  userPoolId: string
  userPoolClientId: string
  identityPoolId: string
  /** Origins allowed to call the API from scripts (the app). */
  appOrigins: string[]
  /** Account erasure (`DELETE /account`): what the erase function deletes from. */
  erase: { bucketName: string; kvTable: dynamodb.ITable; changeLog?: dynamodb.ITable }
}

export class HandlesApi extends Construct {
  readonly table: dynamodb.Table
  readonly fn: lambda.Function
  readonly eraseFn: lambda.Function
  readonly url: string

  constructor(scope: Construct, id: string, props: HandlesApiProps) {
    super(scope, id)
    // No user policy grants this table: only the claim function writes it.
    this.table = new dynamodb.Table(this, 'Registry', {
      tableName: `${props.prefix}-handles`,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    })

    const bundle = bundleLambda({ entry: 'packages/subdomain-proxy/src/claim-function.ts', name: `${props.prefix}-claim` })
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })
    this.fn = new lambda.Function(this, 'Claim', {
      functionName: `${props.prefix}-claim`,
      description: 'Handles API: claim, rename, release and resolve handles (@whimsy/sites)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundle.dir),
      memorySize: 256,
      timeout: Duration.seconds(10),
      logGroup,
      environment: {
        WHIMSY_REGION: props.region,
        WHIMSY_USER_POOL_ID: props.userPoolId,
        WHIMSY_USER_POOL_CLIENT_ID: props.userPoolClientId,
        WHIMSY_IDENTITY_POOL_ID: props.identityPoolId,
        WHIMSY_HANDLES_TABLE: this.table.tableName,
        WHIMSY_APP_ORIGINS: props.appOrigins.join(','),
      },
    })
    Validations.of(this.fn).acknowledge({ id: BASIC_EXECUTION_ROLE, reason: 'AWSLambdaBasicExecutionRole only writes the function’s own logs' })
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node 22 is a supported Lambda runtime; the code is built for and tested on Node 20 (CI), and moves to 24 with CI',
    })
    // What the registry calls and nothing else (GetId needs no permission).
    this.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem')

    // The erase function: the same API code with the eraser on, a function of its own so that
    // only it may delete object versions and key-value items (issue 14, account deletion).
    const eraseBundle = bundleLambda({ entry: 'packages/subdomain-proxy/src/erase-function.ts', name: `${props.prefix}-erase` })
    const eraseLogs = new logs.LogGroup(this, 'EraseLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })
    this.eraseFn = new lambda.Function(this, 'Erase', {
      functionName: `${props.prefix}-erase`,
      description: 'Account deletion: erases every object version, upload, key-value item and the handle of the caller (@whimsy/sites)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(eraseBundle.dir),
      memorySize: 256,
      // Thousands of versions are deleted 1,000 per request; the SDK waits up to two minutes.
      timeout: Duration.seconds(60),
      logGroup: eraseLogs,
      environment: {
        WHIMSY_REGION: props.region,
        WHIMSY_USER_POOL_ID: props.userPoolId,
        WHIMSY_USER_POOL_CLIENT_ID: props.userPoolClientId,
        WHIMSY_IDENTITY_POOL_ID: props.identityPoolId,
        WHIMSY_HANDLES_TABLE: this.table.tableName,
        WHIMSY_APP_ORIGINS: props.appOrigins.join(','),
        WHIMSY_FILES_BUCKET: props.erase.bucketName,
        WHIMSY_KV_TABLE: props.erase.kvTable.tableName,
        ...(props.erase.changeLog ? { WHIMSY_CHANGES_TABLE: props.erase.changeLog.tableName } : {}),
      },
    })
    Validations.of(this.eraseFn).acknowledge({ id: BASIC_EXECUTION_ROLE, reason: 'AWSLambdaBasicExecutionRole only writes the function’s own logs' })
    Validations.of(this.eraseFn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node 22 is a supported Lambda runtime; the code is built for and tested on Node 20 (CI), and moves to 24 with CI',
    })
    const bucketArn = `arn:${Stack.of(this).partition}:s3:::${props.erase.bucketName}`
    // Exactly the calls of account-erase.ts: list versions and uploads, delete versions, abort uploads.
    this.eraseFn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucketVersions', 's3:ListBucketMultipartUploads'], resources: [bucketArn] }))
    this.eraseFn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObjectVersion', 's3:AbortMultipartUpload'], resources: [`${bucketArn}/*`] }))
    const bucketName = Stack.of(this).resolve(props.erase.bucketName) as { Ref?: string }
    Validations.of(this.eraseFn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucketName.Ref ? `<${bucketName.Ref}>` : props.erase.bucketName}/*]`,
      reason:
        'The erase function deletes any user’s versions (the caller’s identityId comes from GetId at run time, so no fixed prefix exists); it is reachable only with a verified, fresh ID token and deletes only that identity’s prefix',
    })
    props.erase.kvTable.grant(this.eraseFn, 'dynamodb:Query', 'dynamodb:BatchWriteItem')
    // The change log: eraseChangeLog (@whimsy/change-feed) queries the user's entries and deletes each.
    props.erase.changeLog?.grant(this.eraseFn, 'dynamodb:Query', 'dynamodb:DeleteItem')
    this.table.grant(this.eraseFn, 'dynamodb:GetItem', 'dynamodb:DeleteItem')

    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(props.zone),
    })
    const domain = new apigw.DomainName(this, 'Domain', { domainName: props.domainName, certificate })
    const api = new apigw.HttpApi(this, 'Api', {
      apiName: `${props.prefix}-handles`,
      // The function answers CORS itself (the app's origins only), as the local API does.
      defaultIntegration: new HttpLambdaIntegration('Claim', this.fn),
      defaultDomainMapping: { domainName: domain },
      disableExecuteApiEndpoint: true,
    })
    api.addRoutes({ path: '/account', methods: [apigw.HttpMethod.DELETE], integration: new HttpLambdaIntegration('Erase', this.eraseFn) })
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The function verifies the caller’s ID token itself (claim, me); resolve and available are public by design (identity ids are not secrets)',
    })
    const stage = api.defaultStage?.node.defaultChild as apigw.CfnStage
    // Throttled well above human claim rates; the edge caches lookups (60 s found, 5 s unknown).
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 }
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        method: '$context.httpMethod',
        path: '$context.path',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    }
    new route53.ARecord(this, 'Record', {
      zone: props.zone,
      recordName: props.domainName,
      target: route53.RecordTarget.fromAlias(new targets.ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId)),
    })
    this.url = `https://${props.domainName}`
  }
}
