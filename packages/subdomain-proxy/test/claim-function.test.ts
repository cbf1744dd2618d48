/**
 * The production claim function's adapter, run against the local cloud: function-URL events
 * in, the identity pool's real GetId (through the gateway, as the AWS SDK calls it) and the
 * registry table out.
 */
import { afterAll, expect, inject, it } from 'vitest'
import { createUser } from '../../../test/users.js'
import { ClaimFunctionConfigError, claimFunctionConfigFromEnv, createClaimFunction, type FunctionUrlEvent } from '../src/claim-function.js'
import { unique } from './site-client.js'

const cloud = inject('cloud')
const api = cloud.config.endpoints?.cognitoIdentity as string
const claimFunction = createClaimFunction(
  {
    region: cloud.config.region,
    userPoolId: cloud.config.userPoolId,
    userPoolClientId: cloud.config.userPoolClientId,
    identityPoolId: cloud.config.identityPoolId,
    handlesTable: cloud.handlesTable as string,
    appOrigins: [cloud.urls.app],
    endpoints: { cognitoIdentity: api, dynamodb: cloud.config.endpoints?.dynamodb },
    credentials: cloud.admin,
  },
  // CognitoJwtVerifier refuses the local pool's ids; here GetId is the token check (signature,
  // issuer, audience, expiry — see local-cloud's identity pool), as it also is in production.
  { verifyIdToken: async () => undefined },
)
afterAll(() => claimFunction.destroy())

const event = (method: string, rawPath: string, init: { token?: string; body?: string; base64?: boolean } = {}): FunctionUrlEvent => ({
  rawPath,
  headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), 'content-type': 'application/json', origin: cloud.urls.app },
  body: init.body === undefined ? undefined : init.base64 ? Buffer.from(init.body).toString('base64') : init.body,
  isBase64Encoded: init.base64 ?? false,
  requestContext: { http: { method } },
})

it('claims, answers /me, /available and /resolve, with CORS for the app', async () => {
  const user = await createUser(cloud, 'lambda')
  const handle = unique('lambda')
  const claimed = await claimFunction(event('POST', '/claim', { token: user.idToken, body: JSON.stringify({ handle }), base64: true }))
  expect(claimed.statusCode).toBe(200)
  expect(JSON.parse(claimed.body)).toEqual({ handle, identityId: user.identityId })
  expect(claimed.headers['access-control-allow-origin']).toBe(cloud.urls.app)
  expect(JSON.parse((await claimFunction(event('GET', '/me', { token: user.idToken }))).body)).toEqual({ handle })
  expect(JSON.parse((await claimFunction(event('GET', `/available/${handle}`))).body)).toMatchObject({ available: false })
  expect(JSON.parse((await claimFunction(event('GET', `/resolve/${handle}`))).body)).toEqual({ handle, identityId: user.identityId })
  const other = await createUser(cloud, 'lambda2')
  const taken = await claimFunction(event('POST', '/claim', { token: other.idToken, body: JSON.stringify({ handle }) }))
  expect([taken.statusCode, JSON.parse(taken.body).code]).toEqual([409, 'HandleTaken'])
})

it('refuses a forged token at GetId', async () => {
  const user = await createUser(cloud, 'lambda')
  const [h, p] = user.idToken.split('.')
  const res = await claimFunction(event('POST', '/claim', { token: `${h}.${p}.forged`, body: JSON.stringify({ handle: unique('x') }) }))
  expect([res.statusCode, JSON.parse(res.body).code]).toEqual([401, 'NotAuthorized'])
})

it('checks its configuration when built, naming the missing field', () => {
  expect(() => createClaimFunction(claimFunctionConfigFromEnv({ WHIMSY_REGION: 'us-east-1' }))).toThrow(ClaimFunctionConfigError)
  expect(() => createClaimFunction(claimFunctionConfigFromEnv({ WHIMSY_REGION: 'us-east-1' }))).toThrow(/userPoolId/)
})
