/**
 * The data-region stack: files bucket, Cognito, the key-value table, the handle registry with
 * its claim API, the app's distribution, and the SDK's configuration as an output.
 *
 * OAC grant without a cycle: the bucket (here) must name the sites distribution (edge stack,
 * us-east-1). The edge stack references nothing of this one (it imports the bucket by its
 * deterministic name), so this stack may reference the edge stack: the distribution's ARN in
 * the bucket policy arrives through CDK's cross-region references (the edge stack writes it
 * to an SSM parameter in this region; this template reads it with a dynamic reference).
 * `cdk deploy --all` deploys the edge stack first. A wildcard on the account's distributions
 * would need no ordering, but would let any distribution in the account read public folders
 * without the edge's checks and headers.
 */
import { Aws, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib'
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as route53 from 'aws-cdk-lib/aws-route53'
import type { Construct } from 'constructs'
import { AppSite } from './app-site.js'
import { ChangeFeed } from './change-feed.js'
import { changeFeedOutput, configOutput, productionConfig } from './config-outputs.js'
import { filesBucketName } from './edge-stack.js'
import { FilesBucket } from './files-bucket.js'
import { HandlesApi } from './handles-api.js'
import { Identity } from './identity.js'
import { type CheckedStageConfig, stagePrefix } from './stage-config.js'

export interface DataStackProps extends StackProps {
  config: CheckedStageConfig
  /** From the edge stack (cross-region reference). */
  sitesDistributionId: string
  /** From the edge stack: CloudFront takes certificates from us-east-1 only. */
  appCertificateArn: string
  /** From the edge stack: the edge function's role, which reads 404.html and dir/index.html. */
  edgeRoleArn: string
}

export class DataStack extends Stack {
  readonly files: FilesBucket
  readonly table: dynamodb.Table
  readonly identity: Identity
  readonly handles: HandlesApi
  readonly changes: ChangeFeed

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props)
    const { config } = props
    const prefix = stagePrefix(config)
    const appZone = route53.HostedZone.fromHostedZoneAttributes(this, 'AppZone', { hostedZoneId: config.appZone.id, zoneName: config.appZone.name })

    this.files = new FilesBucket(this, 'Files', {
      bucketName: filesBucketName(config),
      region: config.dataRegion,
      sitesDistributionArn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${props.sitesDistributionId}`,
      edgeRoleArn: props.edgeRoleArn,
    })

    // Partition key identityId, sort key key: as the local cloud's table (bootstrap.ts).
    this.table = new dynamodb.Table(this, 'KeyValue', {
      tableName: `${prefix}-kv`,
      partitionKey: { name: 'identityId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'key', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // TTL deletes lazily (up to days later): readers filter expired items anyway.
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // The change feed's writer reads every committed write from it (issue 15).
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    })

    this.changes = new ChangeFeed(this, 'Changes', { prefix, bucket: this.files.bucket, bucketName: filesBucketName(config), kvTable: this.table })

    this.identity = new Identity(this, 'Identity', {
      prefix,
      config,
      bucketName: this.files.bucket.bucketName,
      tableArn: this.table.tableArn,
      changeLogTableArn: this.changes.table.tableArn,
      eventApiArn: this.changes.api.apiArn,
    })

    // The Briefcase, then every other app the stage trusts (the examples among them): only these may call claims from scripts.
    const appOrigins = [...new Set([`https://${config.appDomain}`, ...config.appOrigins])]
    this.handles = new HandlesApi(this, 'Handles', {
      prefix,
      region: config.dataRegion,
      domainName: config.handlesDomain,
      zone: appZone,
      userPoolId: this.identity.userPool.userPoolId,
      userPoolClientId: this.identity.client.userPoolClientId,
      identityPoolId: this.identity.identityPool.identityPoolId,
      appOrigins,
      erase: { bucketName: this.files.bucket.bucketName, kvTable: this.table, changeLog: this.changes.table },
    })

    const whimsyConfig = productionConfig({
      region: config.dataRegion,
      userPoolId: this.identity.userPool.userPoolId,
      userPoolClientId: this.identity.client.userPoolClientId,
      identityPoolId: this.identity.identityPool.identityPoolId,
      bucket: this.files.bucket.bucketName,
      table: this.table.tableName,
      sitesDomain: config.sitesDomain,
      handlesApi: this.handles.url,
    })
    configOutput(this, whimsyConfig)
    const changes = {
      table: this.changes.table.tableName,
      http: `https://${this.changes.api.httpDns}/event`,
      realtime: `wss://${this.changes.api.realtimeDns}/event/realtime`,
    }
    changeFeedOutput(this, changes)

    new AppSite(this, 'App', {
      prefix,
      domainName: config.appDomain,
      zone: appZone,
      certificateArn: props.appCertificateArn,
      priceClass: config.priceClass as cloudfront.PriceClass,
      assetsDir: config.appAssetsDir,
      config: { ...whimsyConfig, changes },
      endpoints: {
        region: config.dataRegion,
        bucket: this.files.bucket.bucketName,
        handlesApi: this.handles.url,
        changes: { httpDns: this.changes.api.httpDns, realtimeDns: this.changes.api.realtimeDns },
      },
    })
  }
}
