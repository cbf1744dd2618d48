/**
 * The claim function in production: a Lambda behind a function URL, serving the handles API
 * (`createHandlesApi`). This file only converts function-URL events and wires the AWS pieces:
 * the ID token is checked with `aws-jwt-verify`'s CognitoJwtVerifier, the identityId comes from
 * the identity pool's GetId with that same token, the registry is the handles table.
 *
 * Configuration comes from environment variables (a regular Lambda has them):
 * WHIMSY_REGION, WHIMSY_USER_POOL_ID, WHIMSY_USER_POOL_CLIENT_ID, WHIMSY_IDENTITY_POOL_ID,
 * WHIMSY_HANDLES_TABLE, WHIMSY_APP_ORIGINS (comma-separated).
 */
import { CognitoIdentityClient, GetIdCommand } from '@aws-sdk/client-cognito-identity'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { CognitoJwtVerifier } from 'aws-jwt-verify'
import { createAccountEraser } from './account-erase.js'
import { eraserOfChangeLog } from './change-log-eraser.js'
import { type ApiResponse, createHandlesApi } from './handles-api.js'
import { userPoolProvider } from './identity-provider.js'
import { HandleRegistry } from './registry.js'

export interface ClaimFunctionConfig {
  region: string
  userPoolId: string
  userPoolClientId: string
  identityPoolId: string
  handlesTable: string
  /** Origins of the app, allowed to call the API from scripts. */
  appOrigins: string[]
  /** The erase function only (`erase-function.ts`): serves `DELETE /account` over these. */
  erase?: { bucket: string; kvTable: string; changesTable?: string }
  /** Off AWS only (the local cloud). */
  endpoints?: { cognitoIdentity?: string; dynamodb?: string; s3?: string }
  /** Off AWS only; on Lambda the function's role is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

export class ClaimFunctionConfigError extends Error {
  constructor(readonly field: string) {
    super(`Claim function configuration: ${field} is required`)
    this.name = 'ClaimFunctionConfigError'
  }
}

/** The Lambda function URL event, payload format 2.0 (the fields used here). */
export interface FunctionUrlEvent {
  rawPath: string
  headers?: Record<string, string | undefined>
  body?: string
  isBase64Encoded?: boolean
  requestContext: { http: { method: string } }
}

export interface FunctionUrlResult {
  statusCode: number
  headers: Record<string, string>
  body: string
}

export interface ClaimFunctionDependencies {
  /** Default: CognitoJwtVerifier for the pool's ID tokens. */
  verifyIdToken: (token: string) => Promise<unknown>
}

export function createClaimFunction(config: ClaimFunctionConfig, deps: Partial<ClaimFunctionDependencies> = {}) {
  for (const field of ['region', 'userPoolId', 'userPoolClientId', 'identityPoolId', 'handlesTable'] as const)
    if (!config[field]) throw new ClaimFunctionConfigError(field)
  const clientConfig = (endpoint: string | undefined) => ({
    region: config.region,
    ...(endpoint ? { endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  })
  const identity = new CognitoIdentityClient(clientConfig(config.endpoints?.cognitoIdentity))
  const dynamodb = new DynamoDBClient(clientConfig(config.endpoints?.dynamodb))
  const jwt = deps.verifyIdToken ? undefined : CognitoJwtVerifier.create({ userPoolId: config.userPoolId, tokenUse: 'id', clientId: config.userPoolClientId })
  const provider = userPoolProvider(config.region, config.userPoolId)
  const registry = new HandleRegistry({ client: dynamodb, table: config.handlesTable })
  const s3 = config.erase ? new S3Client(clientConfig(config.endpoints?.s3)) : undefined
  const eraser =
    config.erase && s3
      ? createAccountEraser({
          s3,
          bucket: config.erase.bucket,
          dynamodb,
          table: config.erase.kvTable,
          registry,
          // Last, the change log (issue 15): the entries of what was just erased included.
          extraErasers: config.erase.changesTable ? [eraserOfChangeLog(dynamodb, config.erase.changesTable)] : [],
        })
      : undefined

  const api = createHandlesApi({
    registry,
    eraseAccount: eraser?.erase,
    verifyIdToken: deps.verifyIdToken ?? ((token) => (jwt as NonNullable<typeof jwt>).verify(token)),
    async identityIdFor(idToken) {
      // https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetId.html
      const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins: { [provider]: idToken } }))
      if (!IdentityId) throw new Error('GetId returned no IdentityId')
      return IdentityId
    },
    allowedOrigins: config.appOrigins,
  })

  const handler = async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
    const headers: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v
    const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
    const answer: ApiResponse = await api({ method: event.requestContext.http.method, path: event.rawPath, headers, body })
    return { statusCode: answer.status, headers: answer.headers, body: answer.body }
  }
  const destroy = () => {
    identity.destroy()
    dynamodb.destroy()
    s3?.destroy()
  }
  return Object.assign(handler, { destroy })
}

/** Reads the configuration from the Lambda's environment. */
export function claimFunctionConfigFromEnv(env: Record<string, string | undefined> = process.env): ClaimFunctionConfig {
  return {
    region: env.WHIMSY_REGION ?? env.AWS_REGION ?? '',
    userPoolId: env.WHIMSY_USER_POOL_ID ?? '',
    userPoolClientId: env.WHIMSY_USER_POOL_CLIENT_ID ?? '',
    identityPoolId: env.WHIMSY_IDENTITY_POOL_ID ?? '',
    handlesTable: env.WHIMSY_HANDLES_TABLE ?? '',
    appOrigins: (env.WHIMSY_APP_ORIGINS ?? '').split(',').filter(Boolean),
  }
}

let lambda: ReturnType<typeof createClaimFunction> | undefined

/** The Lambda entry point (`claim-function.handler`). */
export const handler = (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
  lambda ??= createClaimFunction(claimFunctionConfigFromEnv())
  return lambda(event)
}
