/**
 * The handle registry on the local cloud: the claim function's API (`@whimsy/sites`) served at
 * `<api>/_whimsy/handles`, over a registry table in the DynamoDB emulator that the user policy
 * does not grant. The identityId comes from this cloud's identity pool (GetId with the
 * caller's token), as production's function calls the real one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { cachedHandleLookup, createHandlesApi, HandleRegistry } from '@whimsy/sites'
import { createAccountEraser } from '@whimsy/sites/account-erase'
import { userPoolProvider } from '@whimsy/sites/identity-provider'
import { withEmulatorHeaders } from './emulator-access.js'
import type { IdTokenClaims } from './id-token-verifier.js'
import type { IdentityPool } from './identity-pool.js'

export const HANDLES_PATH = '/_whimsy/handles'

export interface LocalHandlesOptions {
  region: string
  /** The DynamoDB emulator's own URL. */
  dynamodb: string
  /** Headers each call to it carries (its per-start secret). */
  dynamodbHeaders?: Record<string, string>
  table: string
  identityPool: IdentityPool
  identityPoolId: string
  userPoolId: string
  verifyIdToken: (token: string) => Promise<IdTokenClaims>
  /** The app's origins: the only ones whose scripts may call the API. */
  allowedOrigins: string[]
  /**
   * Account erasure (`DELETE /account`), the erase function's code: the files through the
   * gateway's S3 with the admin key (the trusted function's role), the key-value table in the
   * emulator.
   */
  erase?: {
    s3Endpoint: string
    admin: { accessKeyId: string; secretAccessKey: string }
    bucket: string
    table: string
    /** Other per-user stores to erase (the change log). */
    extraErasers?: ((identityId: string) => Promise<void>)[]
  }
}

export function createLocalHandles(options: LocalHandlesOptions) {
  const client = withEmulatorHeaders(
    new DynamoDBClient({
      region: options.region,
      endpoint: options.dynamodb,
      // Emulator credentials: this is the trusted function's own access, never a user's.
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
    options.dynamodbHeaders,
  )
  const registry = new HandleRegistry({ client, table: options.table })
  // The edge in this process learns of claims at once; production's edge waits out its TTL.
  const lookup = cachedHandleLookup((handle) => registry.lookup(handle), { ttlMs: 60_000, negativeTtlMs: 2_000 })
  const s3 = options.erase
    ? new S3Client({ region: options.region, endpoint: options.erase.s3Endpoint, forcePathStyle: true, credentials: options.erase.admin })
    : undefined
  const eraser =
    options.erase && s3
      ? createAccountEraser({
          s3,
          bucket: options.erase.bucket,
          dynamodb: client,
          table: options.erase.table,
          registry,
          extraErasers: options.erase.extraErasers ?? [],
          onReleased: (handle) => lookup.forget(handle),
        })
      : undefined
  const api = createHandlesApi({
    registry,
    eraseAccount: eraser?.erase,
    verifyIdToken: options.verifyIdToken,
    async identityIdFor(idToken) {
      const provider = userPoolProvider(options.region, options.userPoolId)
      const answer = await options.identityPool.handle('GetId', { IdentityPoolId: options.identityPoolId, Logins: { [provider]: idToken } })
      const id = answer.body.IdentityId
      if (answer.status !== 200 || typeof id !== 'string') throw new Error(String(answer.body.message ?? 'GetId failed'))
      return id
    },
    allowedOrigins: options.allowedOrigins,
    onReleased: (handle) => lookup.forget(handle),
    onClaimed: ({ handle, previous }) => {
      lookup.forget(handle)
      if (previous) lookup.forget(previous)
    },
  })

  /** The gateway's listener for `/_whimsy/handles/…`. */
  async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local')
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > 64 * 1024) break
      chunks.push(chunk as Buffer)
    }
    const headers: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v
    const answer = await api({
      method: req.method ?? 'GET',
      path: url.pathname.slice(HANDLES_PATH.length) || '/',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
    })
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body)
  }

  return {
    registry,
    lookup,
    listener,
    destroy: () => {
      client.destroy()
      s3?.destroy()
    },
  }
}
