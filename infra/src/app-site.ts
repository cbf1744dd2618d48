/** The app's distribution: the built Briefcase and the SDK's browser build, with the stage's `config.json` beside them. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import * as acm from 'aws-cdk-lib/aws-certificatemanager'
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront'
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins'
import * as route53 from 'aws-cdk-lib/aws-route53'
import * as targets from 'aws-cdk-lib/aws-route53-targets'
import * as s3 from 'aws-cdk-lib/aws-s3'
import * as deploy from 'aws-cdk-lib/aws-s3-deployment'
import { Construct } from 'constructs'
import { appContentSecurityPolicy, type ProductionEndpoints, productionConnectSources } from './app-csp.js'
import type { ProductionConfig } from './config-outputs.js'
import { acknowledgeDistribution } from './edge-stack.js'
import { REPO_ROOT } from './lambda-bundle.js'
import { acknowledge, BASIC_EXECUTION_ROLE } from './nag-acknowledgements.js'

export interface AppSiteProps {
  prefix: string
  domainName: string
  zone: route53.IHostedZone
  certificateArn: string
  priceClass: cloudfront.PriceClass
  assetsDir?: string
  /** The SDK's browser build (`npm run build -w @whimsy/sdk`); default `packages/sdk/dist/browser`. */
  sdkBuildDir?: string
  config: ProductionConfig
  /** Where the app's pages may connect (its Content-Security-Policy's connect-src). */
  endpoints: ProductionEndpoints
}

/** The SDK's browser build and its version, when it has been built (`build.json` names both). */
function sdkBuild(dir: string): { dir: string; version: string } | undefined {
  const manifest = join(dir, 'build.json')
  if (!existsSync(manifest)) return undefined
  return { dir, version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version }
}

const PLACEHOLDER = '<!doctype html><meta charset="utf-8"><title>Whimsy Space</title><p>The Briefcase is not built into this deployment yet.</p>\n'

export class AppSite extends Construct {
  readonly distribution: cloudfront.Distribution

  constructor(scope: Construct, id: string, props: AppSiteProps) {
    super(scope, id)
    const bucket = new s3.Bucket(this, 'Assets', {
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Rebuilt from the repository on every deploy, yet retained: emptying it on delete takes
      // CDK's auto-delete handler, whose s3:List* on the bucket has no prefix condition.
      // Teardown removes it by hand (infra/README.md).
      removalPolicy: RemovalPolicy.RETAIN,
    })
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: `${props.prefix}-app`,
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The same strict policy the local cloud's app server sends (app-csp.ts).
        contentSecurityPolicy: { contentSecurityPolicy: appContentSecurityPolicy(productionConnectSources(props.endpoints)), override: true },
      },
      // ZineOS apps on other origins fetch config.json and import the SDK's browser build from
      // here (issue 16). Everything in this bucket is public, static, and read without cookies
      // or credentials, so allowing any origin to read it grants nothing more than a link does.
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD'],
        accessControlAllowHeaders: ['*'],
        accessControlAllowCredentials: false,
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
    })
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.prefix} app (${props.domainName})`,
      domainNames: [props.domainName],
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
    })
    acknowledgeDistribution(this.distribution)
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'Rebuilt from the repository on every deploy; nothing to audit' })
    for (const [rid, Record] of [
      ['A', route53.ARecord],
      ['Aaaa', route53.AaaaRecord],
    ] as const)
      new Record(this, rid, {
        zone: props.zone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution)),
      })

    // No CloudFront invalidation: the deployment's handler would need cloudfront:CreateInvalidation
    // on `*`. Short cache lifetimes instead; the Briefcase's bundles should carry content hashes.
    const assets = new deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: bucket,
      sources: [props.assetsDir && existsSync(props.assetsDir) ? deploy.Source.asset(props.assetsDir) : deploy.Source.data('index.html', PLACEHOLDER)],
      // Not pruned here: what the deployments below own.
      exclude: ['config.json', 'sdk/*'],
      cacheControl: [deploy.CacheControl.fromString('public, max-age=300')],
      memoryLimit: 512,
    })
    // The SDK's browser build beside the Briefcase, as the local cloud serves it: `/sdk/<version>/`
    // immutable (an app pins what it tested against), and `/sdk/latest/` the same files, not
    // cached (a static bucket cannot redirect; the chunks resolve against the entry's own URL,
    // so a page loads one version's files either way).
    const sdk = sdkBuild(props.sdkBuildDir ?? join(REPO_ROOT, 'packages/sdk/dist/browser'))
    if (sdk)
      for (const [id, prefix, cache] of [
        ['DeploySdk', `sdk/${sdk.version}/`, deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
        ['DeploySdkLatest', 'sdk/latest/', deploy.CacheControl.noCache()],
      ] as const)
        new deploy.BucketDeployment(this, id, {
          destinationBucket: bucket,
          destinationKeyPrefix: prefix,
          sources: [deploy.Source.asset(sdk.dir, { exclude: ['build.json'] })],
          cacheControl: [cache],
          memoryLimit: 512,
        })
    new deploy.BucketDeployment(this, 'DeployConfig', {
      destinationBucket: bucket,
      // Tokens inside are resolved at deploy, so the file holds this stage's real ids.
      sources: [deploy.Source.jsonData('config.json', props.config)],
      prune: false,
      cacheControl: [deploy.CacheControl.noCache()],
      memoryLimit: 512,
    })
    // CDK's own deployment handler (one per stack), not code of ours.
    const handler = assets.handlerRole.node.scope
    const bucketRef = Stack.of(this).resolve(bucket.bucketArn) as { 'Fn::GetAtt': [string, string] }
    if (handler)
      acknowledge(
        handler,
        [
          BASIC_EXECUTION_ROLE,
          'AwsSolutions-L1',
          ...['GetObject*', 'GetBucket*', 'List*', 'DeleteObject*', 'Abort*'].map((a) => `AwsSolutions-IAM5[Action::s3:${a}]`),
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Stack.of(this).region}/*]`,
          `AwsSolutions-IAM5[Resource::<${bucketRef['Fn::GetAtt'][0]}.Arn>/*]`,
        ],
        'CDK’s BucketDeployment handler: its role (the asset and app buckets only) and its runtime are the construct’s own',
      )
  }
}
