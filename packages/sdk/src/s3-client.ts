/**
 * The S3 client of one `Whimsy`, built when `fs` or `profile` first loads (see lazy-noun.ts),
 * so its code is downloaded only by apps that use files.
 */
import { S3Client } from '@aws-sdk/client-s3'
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import type { WhimsyConfig } from './config.js'

export function createS3Client(config: WhimsyConfig, credentials: AwsCredentialIdentityProvider): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoints?.s3,
    forcePathStyle: config.s3ForcePathStyle,
    credentials,
    // Checksums only where S3 requires them: streamed bodies otherwise go out aws-chunked,
    // which costs a trailer per upload and which some S3-compatible servers store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}
