/** Cognito: the user pool and its app client, the identity pool, and the authenticated role carrying the policy module's documents. */
import { type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import * as cognito from 'aws-cdk-lib/aws-cognito'
import { IdentityPool, UserPoolAuthenticationProvider } from 'aws-cdk-lib/aws-cognito-identitypool'
import * as iam from 'aws-cdk-lib/aws-iam'
import { Construct } from 'constructs'
import { PASSWORD_POLICY } from './password-policy.js'
import { authenticatedRolePolicy, changeFeedReaderPolicy } from './policies.js'
import type { CheckedStageConfig } from './stage-config.js'

export interface IdentityProps {
  prefix: string
  config: CheckedStageConfig
  bucketName: string
  tableArn: string
  /** The change log and the push channel's API (issue 15), granted read / subscribe by the policy module. */
  changeLogTableArn?: string
  eventApiArn?: string
}

export class Identity extends Construct {
  readonly userPool: cognito.UserPool
  readonly client: cognito.UserPoolClient
  readonly identityPool: IdentityPool

  constructor(scope: Construct, id: string, { prefix, config, bucketName, tableArn, changeLogTableArn, eventApiArn }: IdentityProps) {
    super(scope, id)
    const ses = config.sesEmail
    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: `${prefix}-users`,
      selfSignUpEnabled: true,
      // As the local pool: a user name, case-insensitive, with a verified e-mail address that
      // signs in too (an alias: the username stays the account's name).
      signInCaseSensitive: false,
      signInAliases: { username: true, email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      passwordPolicy: {
        minLength: PASSWORD_POLICY.minimumLength,
        requireLowercase: PASSWORD_POLICY.requireLowercase,
        requireUppercase: PASSWORD_POLICY.requireUppercase,
        requireDigits: PASSWORD_POLICY.requireNumbers,
        requireSymbols: PASSWORD_POLICY.requireSymbols,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Everything used here (SRP, e-mail verification and recovery) is in Lite; Essentials adds
      // managed login, passwordless and token customisation at about 3× the price per active user.
      featurePlan: cognito.FeaturePlan.LITE,
      // Cognito's own sender manages about 50 messages a day: production configures SES.
      email: ses
        ? cognito.UserPoolEmail.withSES({
            fromEmail: ses.fromEmail,
            fromName: ses.fromName,
            sesRegion: ses.sesRegion ?? config.dataRegion,
            sesVerifiedDomain: ses.verifiedDomain,
          })
        : cognito.UserPoolEmail.withCognito(),
    })

    this.client = this.userPool.addClient('Web', {
      userPoolClientName: `${prefix}-web`,
      // SRP and refresh only: the password never leaves the browser. No secret: browsers cannot keep one.
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // Left on, CDK configures a hosted-UI OAuth client with example.com callbacks.
      disableOAuth: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    })

    this.identityPool = new IdentityPool(this, 'Identities', {
      identityPoolName: `${prefix}-identities`,
      allowUnauthenticatedIdentities: false,
      allowClassicFlow: false,
      // The client must be given: left out, the construct creates another one.
      authenticationProviders: { userPools: [new UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: this.client })] },
    })
    // The construct always makes an unauthenticated role; with guests off it could never be
    // assumed, but a role that exists is a role someone may one day grant. Remove it.
    const attachment = this.identityPool.node.findChild('DefaultRoleAttachment').node.defaultChild as CfnResource
    attachment.addPropertyDeletionOverride('Roles.unauthenticated')
    this.identityPool.node.tryRemoveChild('UnauthenticatedRole')

    const pool = Validations.of(this.userPool)
    pool.acknowledge({
      id: 'AwsSolutions-COG1',
      reason: 'One password policy shared with the local cloud and the SDK (password-policy.ts): length over composition, as NIST SP 800-63B advises',
    })
    pool.acknowledge({ id: 'AwsSolutions-COG2', reason: 'MFA is not offered yet: the SDK has no MFA challenge flow (to come with it)' })
    pool.acknowledge({
      id: 'AwsSolutions-COG8',
      reason: 'The Plus plan (threat protection) bills every monthly active user at several times Lite; Lite is the cost baseline (infra/README.md)',
    })

    // The policy module's document, attached as it is: the local cloud evaluates the same one.
    const ownData = new iam.Policy(this, 'OwnData', {
      policyName: 'own-folder-and-partition',
      document: iam.PolicyDocument.fromJson(authenticatedRolePolicy({ bucketName, tableArn })),
      roles: [this.identityPool.authenticatedRole],
    })
    // The change feed's document (issue 15), a managed policy of its own on the same role.
    if (changeLogTableArn && eventApiArn)
      new iam.ManagedPolicy(this, 'OwnChanges', {
        managedPolicyName: `${prefix}-own-changes`,
        document: iam.PolicyDocument.fromJson(changeFeedReaderPolicy({ changeLogTableArn, eventApiArn })),
        roles: [this.identityPool.authenticatedRole],
      })
    const bucketRef = Stack.of(this).resolve(bucketName) as { Ref: string }
    Validations.of(ownData).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:aws:s3:::<${bucketRef.Ref}>/<cognito-identity.amazonaws.com:sub>/*]`,
      reason: "The wildcard is the user's own folder, <bucket>/${cognito-identity.amazonaws.com:sub}/*: AWS's pattern for identity-pool home folders",
    })
  }
}
