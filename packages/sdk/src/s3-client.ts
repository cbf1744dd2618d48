/**
 * The S3 client of one `Whimsy`, built when `fs` or `profile` first loads (see lazy-noun.ts),
 * so its code is downloaded only by apps that use files. The client is the SDK's own small
 * one (transport/s3/).
 */
import type { WhimsyConfig } from './config.js'
import type { AwsCredentials } from './transport/json-protocol.js'
import { S3, type S3Options } from './transport/s3/client.js'

export function createS3Client(config: WhimsyConfig, credentials: () => Promise<AwsCredentials>, onAnswer?: S3Options['onAnswer']): S3 {
  return new S3({ region: config.region, endpoint: config.endpoints?.s3, forcePathStyle: config.s3ForcePathStyle, credentials, onAnswer })
}
