/**
 * The one configuration object of a Whimsy Space deployment. The local cloud writes it for the
 * running instance (`.whimsy/config.json`, `GET /_whimsy/config.json`); the production stack
 * outputs the same shape. Switching environments is swapping this object.
 */
export interface WhimsyConfig {
  /** AWS region of the services, e.g. `us-east-1`. */
  region: string
  /** Cognito user pool id, e.g. `us-east-1_AbCdEf123`. */
  userPoolId: string
  /** App client id of the user pool (no client secret: browsers cannot keep one). */
  userPoolClientId: string
  /** Cognito identity pool id, `region:uuid`. */
  identityPoolId: string
  /** S3 bucket that holds every user's folder. */
  bucket: string
  /** DynamoDB table of key-value data; partition key `identityId`, sort key `key`. */
  table: string
  /** Users' sites live at `<handle>.<sitesDomain>`, e.g. `whimsy.space` or `localhost:4302`. */
  sitesDomain: string
  /** `https` in production; `http` on the local cloud. */
  sitesProtocol?: 'https' | 'http'
  /**
   * Base URL of the handle registry's trusted claim function (a Lambda function URL in
   * production, `<api>/_whimsy/handles` on the local cloud). See `@whimsy/sites`.
   */
  handlesApi: string
  /**
   * How sign-in proves the password: SRP (AWS's default, the password never leaves the
   * browser) or the plain password flow (only the local cloud, whose emulator has no SRP).
   */
  authFlow?: 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH'
  /** Service endpoints, set only off AWS (the local cloud). */
  endpoints?: {
    cognitoIdentityProvider?: string
    cognitoIdentity?: string
    s3?: string
    dynamodb?: string
    /**
     * Where user sites are reached when `<handle>.<sitesDomain>` does not resolve (Node on
     * the local cloud: `*.localhost` resolves only in browsers). Requests go to this origin
     * with the site's host in `x-forwarded-host`, which only the local edge honours.
     */
    sites?: string
  }
  /** Path-style S3 addressing (`endpoint/bucket/key`); needed by the local cloud. */
  s3ForcePathStyle?: boolean
  /** The user pool's password rules, so input is checked before it reaches the network. */
  passwordPolicy?: PasswordPolicy
  /** The change feed (issue 15): without it, `whimsy.changes` reports `Unsupported`. */
  changes?: ChangeFeedConfig
}

export interface ChangeFeedConfig {
  /** The change-log table: partition `identityId`, sort key `seq`; the user reads their own. */
  table: string
  /** The push channel's AppSync Events HTTP endpoint, `https://<id>.appsync-api.<region>.amazonaws.com/event` (signed requests name its host). */
  http: string
  /** Its real-time endpoint, `wss://<id>.appsync-realtime-api.<region>.amazonaws.com/event/realtime`. */
  realtime: string
}

export interface PasswordPolicy {
  minimumLength: number
  requireLowercase: boolean
  requireUppercase: boolean
  requireNumbers: boolean
  requireSymbols: boolean
}

/** What a user pool without a configured policy enforces (Cognito's default). */
export const COGNITO_DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
}
