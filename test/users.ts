/**
 * Test users made the way a real client makes them: sign up and confirm through the user pool
 * (the code read from the local mailbox), sign in, and trade the ID token at the identity pool
 * for credentials. Everything goes through the real AWS SDK v3 clients and the gateway.
 */
import { randomUUID } from 'node:crypto'
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { AwsCredentialIdentity } from '@smithy/types'
import type { CloudInfo } from './cloud-info.js'

export interface TestUser {
  username: string
  password: string
  idToken: string
  identityId: string
  credentials: AwsCredentialIdentity
  s3: S3Client
  ddb: DynamoDBDocumentClient
}

export const PASSWORD = 'correct-horse-42'

export function userPoolClient(cloud: CloudInfo) {
  return new CognitoIdentityProviderClient({
    region: cloud.config.region,
    endpoint: cloud.config.endpoints?.cognitoIdentityProvider,
    // User-pool calls are unsigned on AWS; the SDK still wants some credentials configured.
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  })
}

export async function latestCode(cloud: CloudInfo, username: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${cloud.urls.mailbox}?username=${encodeURIComponent(username)}`)
    const { messages } = (await res.json()) as { messages: { code?: string }[] }
    const code = messages.at(-1)?.code
    if (code) return code
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no code arrived for ${username}`)
}

export async function signIn(cloud: CloudInfo, username: string, password = PASSWORD): Promise<string> {
  const idp = userPoolClient(cloud)
  const auth = await idp.send(
    new InitiateAuthCommand({
      ClientId: cloud.config.userPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  )
  idp.destroy()
  const idToken = auth.AuthenticationResult?.IdToken
  if (!idToken) throw new Error('sign-in returned no ID token')
  return idToken
}

export function loginsFor(cloud: CloudInfo, idToken: string): Record<string, string> {
  return { [`cognito-idp.${cloud.config.region}.amazonaws.com/${cloud.config.userPoolId}`]: idToken }
}

export async function createUser(cloud: CloudInfo, prefix = 'user'): Promise<TestUser> {
  const username = `${prefix}-${randomUUID().slice(0, 8)}`
  const idp = userPoolClient(cloud)
  await idp.send(
    new SignUpCommand({
      ClientId: cloud.config.userPoolClientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
    }),
  )
  await idp.send(new ConfirmSignUpCommand({ ClientId: cloud.config.userPoolClientId, Username: username, ConfirmationCode: await latestCode(cloud, username) }))
  idp.destroy()
  const idToken = await signIn(cloud, username)
  const provider = fromCognitoIdentityPool({
    identityPoolId: cloud.config.identityPoolId,
    logins: loginsFor(cloud, idToken),
    clientConfig: { region: cloud.config.region, endpoint: cloud.config.endpoints?.cognitoIdentity },
  })
  const credentials = await provider()
  const identityId = (credentials as { identityId?: string }).identityId
  if (!identityId) throw new Error('identity pool returned no identityId')
  return { username, password: PASSWORD, idToken, identityId, credentials, s3: s3Client(cloud, credentials), ddb: documentClient(cloud, credentials) }
}

export function s3Client(cloud: CloudInfo, credentials: AwsCredentialIdentity): S3Client {
  return new S3Client({ region: cloud.config.region, endpoint: cloud.config.endpoints?.s3, forcePathStyle: true, credentials })
}

export function documentClient(cloud: CloudInfo, credentials: AwsCredentialIdentity): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region: cloud.config.region, endpoint: cloud.config.endpoints?.dynamodb, credentials }))
}

/** An S3 client that signs nothing: what an anonymous visitor's browser sends. */
export function anonymousS3(cloud: CloudInfo): S3Client {
  return new S3Client({
    region: cloud.config.region,
    endpoint: cloud.config.endpoints?.s3,
    forcePathStyle: true,
    credentials: { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' },
    signer: { sign: async (request) => request },
  })
}

export function adminS3(cloud: CloudInfo): S3Client {
  return s3Client(cloud, cloud.admin)
}
