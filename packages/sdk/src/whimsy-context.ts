import type { Auth } from './auth/auth.js'
import type { SessionAccess } from './auth/session-access.js'
import type { ChangeFeed } from './changes/feed.js'
import type { WhimsyConfig } from './config.js'
import type { HandlesClient } from './sites/handles-client.js'
import type { SessionStorage } from './storage.js'
import type { DynamoDb } from './transport/dynamodb.js'
import type { S3 } from './transport/s3/client.js'

/** What the SDK's modules share: the checked config, the session and the AWS clients. Internal. */
export interface WhimsyContext {
  config: WhimsyConfig
  /** What the nouns need of auth: its state and the session's plumbing, which `whimsy.auth` does not offer. */
  auth: Pick<Auth, 'user' | 'ready' | 'onChange'> & SessionAccess
  /** The small S3 client (transport/s3/). */
  s3: S3
  /** The small DynamoDB client (transport/dynamodb.ts). */
  ddb: DynamoDb
  handles: HandlesClient
  /** The session storage: also where interrupted uploads are remembered for resuming. */
  storage: SessionStorage
  /** Loads the DynamoDB client (`ddb`) if no noun has yet: the change feed reads its log with it. */
  loadDynamoDb?: () => Promise<void>
  /** The change feed behind `whimsy.changes`, `fs.watch` and `kv.watch`. */
  changes?: ChangeFeed
}
