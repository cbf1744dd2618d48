/**
 * The us-east-1 stack: what CloudFront requires there (certificates, Lambda@Edge) and the user
 * sites distribution. It is deployed first and names nothing of the data stack but what is
 * known before deploy (the bucket's deterministic name, the handles API's host name), so the
 * data stack can reference this one (the distribution id for its OAC grant, the app's
 * certificate) without a cycle.
 */
import { Annotations, Aws, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import * as acm from 'aws-cdk-lib/aws-certificatemanager'
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront'
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as route53 from 'aws-cdk-lib/aws-route53'
import * as targets from 'aws-cdk-lib/aws-route53-targets'
import * as s3 from 'aws-cdk-lib/aws-s3'
import type { Construct } from 'constructs'
import { VIEWER_REQUEST_CODE } from './edge/viewer-request.js'
import { bundleLambda } from './lambda-bundle.js'
import { BASIC_EXECUTION_ROLE } from './nag-acknowledgements.js'
import { type CheckedStageConfig, stagePrefix } from './stage-config.js'

export interface EdgeStackProps extends StackProps {
  config: CheckedStageConfig
}

/** The files bucket's name, known to both stacks before either is deployed. */
export function filesBucketName(config: CheckedStageConfig): string {
  return `${stagePrefix(config)}-files-${Aws.ACCOUNT_ID}-${config.dataRegion}`
}

export class EdgeStack extends Stack {
  readonly sitesDistribution: cloudfront.Distribution
  readonly appCertificate: acm.ICertificate
  readonly edgeFunction: lambda.IVersion
  /** The edge function's role: the origin-response step reads 404.html and dir/index.html with it. */
  readonly edgeRole: iam.Role
  readonly edgeBundleBytes: number

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props)
    const { config } = props
    const prefix = stagePrefix(config)
    const sitesZone = route53.HostedZone.fromHostedZoneAttributes(this, 'SitesZone', { hostedZoneId: config.sitesZone.id, zoneName: config.sitesZone.name })
    const appZone = route53.HostedZone.fromHostedZoneAttributes(this, 'AppZone', { hostedZoneId: config.appZone.id, zoneName: config.appZone.name })

    const sitesCertificate = new acm.Certificate(this, 'SitesCertificate', {
      domainName: `*.${config.sitesDomain}`,
      validation: acm.CertificateValidation.fromDns(sitesZone),
    })
    // The app distribution lives in the data stack (its config.json comes from that stack's
    // values), but CloudFront takes certificates from us-east-1 only.
    this.appCertificate = new acm.Certificate(this, 'AppCertificate', {
      domainName: config.appDomain,
      validation: acm.CertificateValidation.fromDns(appZone),
    })

    // The bucket lives in the data region and is deployed after this stack; CloudFront does
    // not check that an origin exists. Imported by name, so no reference points back there.
    const files = s3.Bucket.fromBucketAttributes(this, 'Files', { bucketName: filesBucketName(config), region: config.dataRegion })

    const viewerRequest = new cloudfront.Function(this, 'SitesViewerRequest', {
      functionName: `${prefix}-sites-viewer-request`,
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(VIEWER_REQUEST_CODE),
      comment: 'Moves the site host into the URI (the cache key), since S3 origins cannot key on Host',
    })

    const bundle = bundleLambda({
      entry: 'infra/src/edge/sites-origin-entry.ts',
      name: `${prefix}-sites-origin`,
      define: {
        __WHIMSY_EDGE_CONFIG__: { sitesDomain: config.sitesDomain, handlesApi: `https://${config.handlesDomain}` },
        __WHIMSY_BUCKET_REGION__: config.dataRegion,
      },
    })
    this.edgeBundleBytes = bundle.bytes
    // Named, so the data stack's bucket policy can grant it reads of public folders.
    this.edgeRole = new iam.Role(this, 'SitesOriginRole', {
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('lambda.amazonaws.com'), new iam.ServicePrincipal('edgelambda.amazonaws.com')),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      description: 'The sites edge function: logs, and (by the bucket policy) reads of <identityId>/public/*',
    })
    // experimental.EdgeFunction refuses environment variables.
    const edgeFunction = new cloudfront.experimental.EdgeFunction(this, 'SitesOrigin', {
      role: this.edgeRole,
      functionName: `${prefix}-sites-origin`,
      description: 'User sites: handle → identityId, site headers, 404 and /dir → /dir/ (@whimsy/sites)',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundle.dir),
      memorySize: 256,
      timeout: Duration.seconds(10),
    })
    this.edgeFunction = edgeFunction.currentVersion
    Validations.of(this.edgeRole).acknowledge({ id: BASIC_EXECUTION_ROLE, reason: 'AWSLambdaBasicExecutionRole only writes the function’s own logs' })
    Validations.of(edgeFunction).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node 22 is a supported Lambda@Edge runtime; the code is built for and tested on Node 20 (CI), and moves to 24 with CI',
    })

    const cachePolicy = new cloudfront.CachePolicy(this, 'SitesCache', {
      cachePolicyName: `${prefix}-sites`,
      comment: 'Key: the URI, which carries the host (viewer-request); never Host itself, never the query',
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
      minTtl: Duration.seconds(0),
      // The site handler caps an owner's Cache-Control at 60 s (a handle can change hands).
      defaultTtl: Duration.seconds(60),
      maxTtl: Duration.minutes(5),
    })

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SitesHeaders', {
      responseHeadersPolicyName: `${prefix}-sites`,
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: false },
      },
    })

    const oac = new cloudfront.S3OriginAccessControl(this, 'FilesAccess', {
      originAccessControlName: `${prefix}-files`,
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    })

    this.sitesDistribution = new cloudfront.Distribution(this, 'Sites', {
      comment: `${prefix} user sites (*.${config.sitesDomain})`,
      domainNames: [`*.${config.sitesDomain}`],
      certificate: sitesCertificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: config.priceClass as cloudfront.PriceClass,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(files, { originAccessControl: oac, originAccessLevels: [cloudfront.AccessLevel.READ] }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        edgeLambdas: [
          { functionVersion: this.edgeFunction, eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST },
          { functionVersion: this.edgeFunction, eventType: cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE },
        ],
      },
    })
    acknowledgeDistribution(this.sitesDistribution)
    // The grant is the data stack's bucket policy, pinned to this distribution's ARN (see data-stack.ts).
    Annotations.of(this.sitesDistribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'The data stack owns the bucket policy and grants this distribution there',
    )

    for (const [id, Record] of [
      ['SitesA', route53.ARecord],
      ['SitesAaaa', route53.AaaaRecord],
    ] as const)
      new Record(this, id, {
        zone: sitesZone,
        recordName: `*.${config.sitesDomain}`,
        target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.sitesDistribution)),
      })
  }
}

/** What both distributions leave out, and why. */
export function acknowledgeDistribution(distribution: cloudfront.Distribution): void {
  const v = Validations.of(distribution)
  v.acknowledge({ id: 'AwsSolutions-CFR1', reason: 'User sites and the app are for everyone: no geo restriction' })
  v.acknowledge({
    id: 'AwsSolutions-CFR2',
    reason: 'No WAF yet: a web ACL costs a monthly fee per distribution plus per request (infra/README.md); the edge refuses bad paths itself',
  })
  v.acknowledge({
    id: 'AwsSolutions-CFR3',
    reason: 'Standard logs need an ACL-enabled bucket (ours have ACLs off); visitor logs through CloudWatch delivery are left to the operator',
  })
}
