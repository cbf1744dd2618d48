/**
 * The identity pool's name for the user pool, the key of `Logins` in GetId and
 * GetCredentialsForIdentity. The SDK (its token exchange), the claim function and the local
 * cloud's handle registry each send it, and the pool maps an ID token to the same identity only
 * if they all spell it alike — so it is built here once.
 *
 * This module has no dependencies: the browser SDK imports it as `@whimsy/sites/identity-provider`.
 */

/** `cognito-idp.<region>.amazonaws.com/<userPoolId>`, as Cognito names a user pool provider. */
export function userPoolProvider(region: string, userPoolId: string): string {
  return `cognito-idp.${region}.amazonaws.com/${userPoolId}`
}

/** The `Logins` map for an ID token of that user pool. */
export function userPoolLogins(region: string, userPoolId: string, idToken: string): Record<string, string> {
  return { [userPoolProvider(region, userPoolId)]: idToken }
}
