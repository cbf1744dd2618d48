/**
 * The DynamoDB client of one `Whimsy`, built when `kv` first loads (see lazy-noun.ts), so its
 * code is downloaded only by apps that use key-value data.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import type { WhimsyConfig } from './config.js'

export function createDynamoDbClient(config: WhimsyConfig, credentials: AwsCredentialIdentityProvider): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region, endpoint: config.endpoints?.dynamodb, credentials }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  })
}
