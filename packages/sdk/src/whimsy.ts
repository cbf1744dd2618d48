/**
 * `createWhimsy(config)`: the one object an app holds. Checks the config, builds the AWS
 * clients once (all sharing one credential cache), and exposes the nouns: `auth`, and the
 * data APIs built on it.
 */
// First: `@aws-sdk/lib-storage` loads `buffer@4`, which reads `global` as it loads (sign-in used
// to import this, for amazon-cognito-identity-js's copy of the same package).
import './global-shim.js'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
// Not `@aws-sdk/credential-providers`: esbuild bundles that package's Node entry (its
// `browser` map lacks the `.js` extension), which pulls in node:fs and node:child_process.
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { checkOptions, is, type Rule } from './args.js'
import { eraseAccount } from './auth/account-erase.js'
import { cognitoClient } from './auth/cognito-api.js'
import { Session } from './auth/session.js'
import { Auth, type WhimsyEvent } from './auth.js'
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
  checkOptions<WhimsyOptions>('createWhimsy', options, { storage: isSessionStorage, onEvent: is.function })
  const { region, endpoints } = checked
  const handles = new HandlesClient(checked.handlesApi)
  const storage = options.storage ?? defaultStorage()
  let context: WhimsyContext | undefined

  const call = cognitoClient(checked)
  const session: Session = new Session({
    config: checked,
    storage,
    call,
    onEvent: options.onEvent,
    exchangeToken: (idToken) => exchangeToken(checked, idToken),
    onLost: () => auth.sessionLost(),
  })
  const auth: Auth = new Auth({
    config: checked,
    storage,
    session,
    call,
    lookupHandle: (idToken) => handles.own(idToken),
    deleteUserData: async () => {
      if (!context) throw new WhimsyError('NotSignedIn', 'Sign in first.')
      const { identityId } = await auth.credentials()
      // Every version, delete marker, unfinished upload, item and the handle: the trusted erase
      // function does it (users may not delete versions). This device forgets its uploads too.
      await eraseAccount(checked.handlesApi, await auth.idToken())
      for (const { storageKey, record } of pendingUploads(storage)) if (record.key.startsWith(`${identityId}/`)) forgetPendingUpload(storage, storageKey)
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
  return { config: checked, auth, fs: new Files(context), sites: new Sites(context), kv: new KeyValue(context), profile: new Profiles(context) }
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
