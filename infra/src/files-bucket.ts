/** The files bucket: every user's folder, private; public folders reach visitors only through the sites distribution. */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'
import { publicFolderPattern } from './policies.js'

/**
 * Headers the SDK reads from S3's answers; the local gateway exposes the same (local-cloud's
 * `cors.ts`). S3 takes no wildcard here, so user metadata (`x-amz-meta-…`) a browser app must
 * read needs its name listed.
 */
export const EXPOSED_HEADERS = [
  'ETag',
  'x-amz-request-id',
  'x-amz-version-id',
  'x-amz-delete-marker',
  // The SDK compares it with its own after a conditional write whose answer was lost (a retried
  // 412 is then its own write, not a Conflict): a browser can read it only if it is exposed.
  'x-amz-checksum-sha256',
  'Content-Length',
  'Content-Range',
  'Content-Type',
  'Last-Modified',
]

export interface FilesBucketProps {
  bucketName: string
  /** The identity pool's region: identity ids start with it, and the public-folder grant pins it. */
  region: string
  /** `arn:aws:cloudfront::<account>:distribution/<id>` of the sites distribution. */
  sitesDistributionArn: string
  /** The sites edge function's role: its origin-response step reads `404.html` and `dir/index.html` itself. */
  edgeRoleArn: string
}

export class FilesBucket extends Construct {
  readonly bucket: s3.Bucket

  constructor(scope: Construct, id: string, props: FilesBucketProps) {
    super(scope, id)
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // The rules the local engine applies: history kept for 30 days, never fewer than the
      // newest three versions; parts of abandoned uploads cost storage until aborted.
      lifecycleRules: [
        {
          id: 'history-and-abandoned-uploads',
          noncurrentVersionExpiration: Duration.days(30),
          noncurrentVersionsToRetain: 3,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // Any origin: ZineOS apps run on many, and every request carries a SigV4 signature, never
      // a cookie, so CORS grants nothing by itself.
      cors: [
        {
          allowedOrigins: ['*'],
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.DELETE],
          allowedHeaders: ['*'],
          exposedHeaders: EXPOSED_HEADERS,
          maxAge: 600,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    })
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs would log every user request into another bucket at a cost per request; CloudTrail S3 data events are the audit path when needed',
    })
    // Public folders are read by the sites distribution alone (OAC), so user HTML never runs
    // on a shared S3 origin and always gets the edge's headers. The key pattern is the policy
    // module's: `<identityId>/public/*` exactly, never a private sub-folder named `public`.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SitesDistributionReadsPublicFolders',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(publicFolderPattern(props.region))],
        conditions: { StringEquals: { 'AWS:SourceArn': props.sitesDistributionArn } },
      }),
    )
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SitesEdgeReadsPublicFolders',
        principals: [new iam.ArnPrincipal(props.edgeRoleArn)],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(publicFolderPattern(props.region))],
      }),
    )
  }
}
