/**
 * The IAM policy documents of Whimsy Space: the single source of truth for who may touch what.
 * The CDK stack attaches them in production; the local cloud's gateway evaluates these very
 * documents on every request. Change a rule here and both follow.
 *
 * The shape is AWS's documented pattern for identity-pool home folders:
 * https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html
 */
import type { PolicyDocument } from './policy-types.js'

export type { ConditionBlock, OneOrMore, PolicyDocument, PolicyStatement, Principal } from './policy-types.js'

/** The policy variable IAM replaces with the caller's identityId (`region:uuid`). */
export const IDENTITY_SUB = '${cognito-identity.amazonaws.com:sub}'

export interface StorageNames {
  /** S3 bucket holding every user's folder. */
  bucketName: string
  /** ARN of the DynamoDB table whose partition key is the identityId. */
  tableArn: string
}

/** Reads of the user's own change log: no write of any kind (only the feed writer appends). */
export const CHANGE_LOG_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const

/** The namespace of the change channels; each identity's channel is `/changes/<name>` (see @whimsy/change-feed). */
export const CHANGE_CHANNEL_NAMESPACE = 'changes'

/**
 * Object actions a user may perform inside their own prefix. Users read their own history
 * (`s3:GetObjectVersion`) but never `s3:DeleteObjectVersion`: the bucket is versioned, and a
 * stolen session must not be able to destroy it. `s3:PutObjectAcl` lets ordinary clients
 * (awscli, rclone) send `x-amz-acl: bucket-owner-full-control`; with ACLs off
 * (BucketOwnerEnforced) that is the only ACL S3 accepts, and it sets nothing. The
 * attribute and tagging reads are metadata of the user's own objects (GetObjectAttributes
 * needs them; awscli reads the tags before a multipart copy).
 */
export const USER_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAttributes',
  's3:GetObjectVersionAttributes',
  's3:GetObjectTagging',
  's3:PutObject',
  's3:PutObjectAcl',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
] as const

/**
 * Item actions on the user's own partition. Scan and PartiQL are deliberately absent: a Scan
 * has no leading key, and `ForAllValues` over an empty set is true, so allowing Scan would
 * let a user read every partition.
 */
export const USER_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const

/** The identity policy of the identity pool's authenticated role. */
export function authenticatedRolePolicy({ bucketName, tableArn }: StorageNames): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OwnObjects',
        Effect: 'Allow',
        Action: [...USER_OBJECT_ACTIONS],
        Resource: `arn:aws:s3:::${bucketName}/${IDENTITY_SUB}/*`,
      },
      {
        // Listing is a bucket-level action, so the prefix condition is what keeps users apart.
        // Never "" and never the id without its slash: `us-east-1:abc` is a prefix of
        // `us-east-1:abcd…`'s keys too.
        Sid: 'ListOwnPrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:ListBucketVersions'],
        Resource: `arn:aws:s3:::${bucketName}`,
        Condition: { StringLike: { 's3:prefix': [`${IDENTITY_SUB}/`, `${IDENTITY_SUB}/*`] } },
      },
      {
        Sid: 'OwnPartition',
        Effect: 'Allow',
        Action: [...USER_ITEM_ACTIONS],
        Resource: tableArn,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [IDENTITY_SUB] } },
      },
    ],
  }
}

export interface ChangeFeedNames {
  /** ARN of the change log (issue 15): its owner reads their partition, nobody but the feed writer writes. */
  changeLogTableArn: string
  /** ARN of the push channel's AppSync Events API (`arn:aws:appsync:<region>:<account>:apis/<id>`). */
  eventApiArn: string
}

/**
 * The authenticated role's second document (issue 15): read the own change log, subscribe to
 * the change channel. Kept apart from `authenticatedRolePolicy` so each can be attached and
 * checked on its own; the local cloud evaluates both.
 */
export function changeFeedReaderPolicy({ changeLogTableArn, eventApiArn }: ChangeFeedNames): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadOwnChangeLog',
        Effect: 'Allow',
        Action: [...CHANGE_LOG_READ_ACTIONS],
        Resource: changeLogTableArn,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [IDENTITY_SUB] } },
      },
      {
        // IAM cannot name a channel below its namespace: the namespace's subscribe handler admits
        // each caller to their own channel only (infra/src/change-feed.ts).
        Sid: 'SubscribeToChanges',
        Effect: 'Allow',
        Action: ['appsync:EventConnect', 'appsync:EventSubscribe'],
        Resource: [eventApiArn, `${eventApiArn}/channelNamespace/${CHANGE_CHANNEL_NAMESPACE}`],
      },
    ],
  }
}

/**
 * The bucket policy: anyone may read objects under `<identityId>/public/`, and nothing else.
 *
 * Not a leading `*` before `/public/*`: IAM's `*` spans slashes, so that pattern would also publish a private
 * sub-folder that happens to be named `public` (`<id>/notes/public/diary.txt`). Identity ids
 * are `<region>:<36-character uuid>`, so a pattern of that exact length pins `public` to the
 * second segment.
 */
export function publicReadBucketPolicy({ bucketName, region }: { bucketName: string; region: string }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PublicFolders',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucketName}/${publicFolderPattern(region)}`,
      },
    ],
  }
}

/** `us-east-1:????????-????-????-????-????????????/public/*` */
export function publicFolderPattern(region: string): string {
  return `${region}:????????-????-????-????-????????????/public/*`
}

/**
 * Trust policy of the authenticated role: only identities of this pool, and only once signed in
 * (`amr` = authenticated). There is no unauthenticated role.
 */
export function authenticatedRoleTrustPolicy({ identityPoolId }: { identityPoolId: string }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPoolId },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
      },
    ],
  }
}
