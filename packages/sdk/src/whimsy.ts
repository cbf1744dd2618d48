/**
 * `createWhimsy(config)`: the one object an app holds. Checks the config, builds the AWS
 * clients once (all sharing one credential cache), and exposes the nouns: `auth`, and the
 * data APIs built on it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { AbortMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3'
// Not `@aws-sdk/credential-providers`: esbuild bundles that package's Node entry (its
// `browser` map lacks the `.js` extension), which pulls in node:fs and node:child_process.
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { deleteAllItems, deleteAllObjects } from './account-data.js'
import { checkOptions, is, type Rule } from './args.js'
import { Auth, type WhimsyEvent } from './auth.js'
import { ChangeFeed } from './changes/feed.js'
import type { ChangeFeedOptions } from './changes/types.js'
import type { WhimsyConfig } from './config.js'
import { checkConfig } from './config-check.js'
import type { ScopedCredentials } from './credentials.js'
import { WhimsyError } from './errors.js'
import { Files } from './fs.js'
import { HandlesClient } from './handles-client.js'
import { KeyValue } from './kv.js'
import { forgetPendingUpload, pendingUploads } from './multipart-upload.js'
import { Profiles } from './profile.js'
import { Sites } from './sites.js'
import { defaultStorage, type SessionStorage } from './storage.js'
import type { WhimsyContext } from './whimsy-context.js'

export interface WhimsyOptions {
  /** Where the session is kept. Default: localStorage in the browser, memory in Node. */
  storage?: SessionStorage
  /** Diagnostics: credential fetches, token refreshes, retries. */
  onEvent?: (event: WhimsyEvent) => void
  /** The change feed's transport: a WebSocket constructor (Node 20 has none: pass `ws`'s), the poll interval. */
  changes?: ChangeFeedOptions
}

export interface Whimsy {
  readonly config: WhimsyConfig
  /** Accounts and sessions. */
  readonly auth: Auth
  /** The user's files: private root `/`, website `/public`. */
  readonly fs: Files
  /** The user's handle and site addresses. */
  readonly sites: Sites
  /** The user's key-value data (settings, app state), synced across devices; `kv.app(name)` per app. */
  readonly kv: KeyValue
  /** Public profiles: anyone's by handle, the user's own to set. */
  readonly profile: Profiles
  /** Every change of the user's files and key-value data, pushed from any device (issue 15). */
  readonly changes: ChangeFeed
}

/**
 * Builds the SDK from one configuration object (the local cloud serves its own at
 * `/_whimsy/config.json`; the production stack outputs the same shape).
 * @example
 * const whimsy = createWhimsy(config)
 * await whimsy.auth.signIn({ username, password })
 * console.log(whimsy.auth.user?.identityId)
 */
export function createWhimsy(config: WhimsyConfig, options: WhimsyOptions = {}): Whimsy {
  const checked = checkConfig(config)
  // Checked here, not when first used: a bad storage would otherwise fail inside the session
  // restore that starts now, as an unhandled rejection that can end the process.
  // `changes` is checked by the change feed itself (its own option names); kept out of this list
  // so the message for a misspelt option stays the one apps already match.
  const { changes: feedOptions, ...baseOptions } = options
  checkOptions<Omit<WhimsyOptions, 'changes'>>('createWhimsy', baseOptions, { storage: isSessionStorage, onEvent: is.function })
  const { region, endpoints } = checked
  const handles = new HandlesClient(checked.handlesApi)
  const storage = options.storage ?? defaultStorage()
  let context: WhimsyContext | undefined

  const auth = new Auth({
    config: checked,
    storage,
    onEvent: options.onEvent,
    exchangeToken: (idToken) => exchangeToken(checked, idToken),
    lookupHandle: (idToken) => handles.own(idToken),
    deleteUserData: async () => {
      if (!context) throw new WhimsyError('NotSignedIn', 'Sign in first.')
      const { identityId } = await auth.credentials()
      // Parts of interrupted uploads are invisible to listings (and users may not list
      // uploads): abort the ones this device remembers, so no bytes of the user outlive them.
      for (const { storageKey, record } of pendingUploads(storage)) {
        if (!record.key.startsWith(`${identityId}/`)) continue
        await auth
          .withCredentials(() => context!.s3.send(new AbortMultipartUploadCommand({ Bucket: checked.bucket, Key: record.key, UploadId: record.uploadId })))
          .catch(() => {})
        forgetPendingUpload(storage, storageKey)
      }
      await auth.withCredentials(() => deleteAllObjects(context!.s3, checked.bucket, identityId))
      await auth.withCredentials(() => deleteAllItems(context!.ddb, checked.table, identityId))
      await handles.release(await auth.idToken()).catch(() => {})
    },
  })
  const credentials = auth.credentialProvider()
  const s3 = new S3Client({
    region,
    endpoint: endpoints?.s3,
    forcePathStyle: checked.s3ForcePathStyle,
    credentials,
    // Checksums only where S3 requires them: streamed bodies otherwise go out aws-chunked,
    // which costs a trailer per upload and which some S3-compatible servers store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint: endpoints?.dynamodb, credentials }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  })
  context = { config: checked, auth, s3, ddb, handles, storage }
  const changes = new ChangeFeed(context, feedOptions)
  context.changes = changes
  return { config: checked, auth, fs: new Files(context), sites: new Sites(context), kv: new KeyValue(context), profile: new Profiles(context), changes }
}

const isSessionStorage: Rule = (v) => {
  const s = v as Partial<Record<keyof SessionStorage, unknown>> | null
  const methods = ['getItem', 'setItem', 'removeItem', 'clear'] as const
  return typeof s === 'object' && s !== null && methods.every((m) => typeof s[m] === 'function')
    ? undefined
    : 'a session storage (an object with getItem, setItem, removeItem and clear, such as localStorage or memoryStorage())'
}

async function exchangeToken(config: WhimsyConfig, idToken: string): Promise<ScopedCredentials> {
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
