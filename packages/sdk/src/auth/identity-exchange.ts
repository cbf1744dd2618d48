/**
 * The identity pool's half of signing in: an ID token for temporary AWS credentials, by two
 * direct JSON calls (transport/identity-pool.ts). Loaded with the sign-in code (facade.ts),
 * never by a signed-out page.
 */
import { userPoolLogins } from '@whimsy/sites/identity-provider'
import type { WhimsyConfig } from '../config.js'
import { credentialsForIdentity } from '../transport/identity-pool.js'
import type { ScopedCredentials } from './credentials.js'

export async function exchangeToken(config: WhimsyConfig, idToken: string): Promise<ScopedCredentials> {
  return credentialsForIdentity({
    region: config.region,
    endpoint: config.endpoints?.cognitoIdentity,
    identityPoolId: config.identityPoolId,
    logins: userPoolLogins(config.region, config.userPoolId, idToken),
  })
}
