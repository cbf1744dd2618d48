/**
 * The identity pool's two calls, GetId and GetCredentialsForIdentity, as plain JSON over fetch
 * (unsigned, as on AWS: the ID token in the body is the proof), in place of the AWS SDK's
 * credential provider and the client it bundles.
 */
import { callJson, type JsonService } from './json-protocol.js'
import type { RequestPolicy } from './retry.js'

export interface IdentityPoolCredentials {
  identityId: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
}

export async function credentialsForIdentity(
  options: { region: string; endpoint?: string; identityPoolId: string; logins: Record<string, string>; policy?: RequestPolicy },
  signal?: AbortSignal,
): Promise<IdentityPoolCredentials> {
  const service: JsonService = {
    endpoint: options.endpoint ?? `https://cognito-identity.${options.region}.amazonaws.com`,
    region: options.region,
    targetPrefix: 'AWSCognitoIdentityService',
    contentType: 'application/x-amz-json-1.1',
    policy: options.policy,
  }
  const { IdentityId } = await callJson<{ IdentityId?: string }>(
    service,
    'GetId',
    { IdentityPoolId: options.identityPoolId, Logins: options.logins },
    { signal },
  )
  if (!IdentityId) throw new Error('The identity pool returned no IdentityId.')
  const answer = await callJson<{
    IdentityId?: string
    Credentials?: { AccessKeyId?: string; SecretKey?: string; SessionToken?: string; Expiration?: number }
  }>(service, 'GetCredentialsForIdentity', { IdentityId, Logins: options.logins }, { signal })
  const c = answer.Credentials
  if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken || c.Expiration === undefined) throw new Error('The identity pool returned incomplete credentials.')
  return {
    identityId: answer.IdentityId ?? IdentityId,
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretKey,
    sessionToken: c.SessionToken,
    // Epoch seconds on the wire (the JSON protocol's timestamp format).
    expiration: new Date(c.Expiration * 1000),
  }
}
