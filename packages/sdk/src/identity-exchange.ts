/**
 * The identity pool's half of signing in: an ID token for temporary AWS credentials. Loaded
 * with the sign-in code (auth-facade.ts), never by a signed-out page.
 */
// Not `@aws-sdk/credential-providers`: esbuild bundles that package's Node entry (its
// `browser` map lacks the `.js` extension), which pulls in node:fs and node:child_process.
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity'
import type { WhimsyConfig } from './config.js'
import type { ScopedCredentials } from './credentials.js'
import { WhimsyError } from './errors.js'

export async function exchangeToken(config: WhimsyConfig, idToken: string): Promise<ScopedCredentials> {
  const provider = fromCognitoIdentityPool({
    clientConfig: { region: config.region, endpoint: config.endpoints?.cognitoIdentity },
    identityPoolId: config.identityPoolId,
    logins: { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: idToken },
  })
  const credentials = await provider()
  if (!credentials.identityId || !credentials.expiration)
    throw new WhimsyError('Unknown', 'The identity pool returned credentials without an identity or expiry.')
  return { ...credentials, identityId: credentials.identityId, expiration: credentials.expiration }
}
