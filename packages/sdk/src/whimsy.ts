/**
 * `createWhimsy(config)`: the one object an app holds. Checks the config and exposes the nouns:
 * `auth`, and the data APIs built on it. Nothing heavy is loaded here: the sign-in code, the
 * AWS clients and each noun's implementation load on first use (auth/facade.ts, lazy-noun.ts),
 * all sharing one credential cache.
 */

import { checkOptions, is, type Rule } from './args.js'
import type { Auth, WhimsyEvent } from './auth/auth.js'
import { authFacade } from './auth/facade.js'
import { sessionOf } from './auth/session-access.js'
import { ChangeFeed } from './changes/feed.js'
import type { ChangeFeedOptions } from './changes/types.js'
import { watchFolder, watchKeys } from './changes/watch.js'
import type { WhimsyConfig } from './config.js'
import { checkConfig } from './config-check.js'
import { deferredUploadTask } from './fs/deferred-upload-task.js'
import type { Files } from './fs/fs.js'
import { LIST_OPTIONS } from './fs/options.js'
import { publicUrlOf } from './fs/public-url.js'
import { STREAM_CANNOT_PAUSE } from './fs/upload-limits.js'
import { checkAppName, namespacePrefix } from './kv/keys.js'
import type { KeyValue, KeyValueStore, KvListOptions } from './kv/kv.js'
import { planList } from './kv/list-plan.js'
import { afterLoading, chunkFailed, type Loader, lazyNoun } from './lazy-noun.js'
import type { FileRef } from './paths.js'
import { avatarUrlOf } from './profile/avatar-url.js'
import { isOwnProfile, type ProfileCallOptions } from './profile/call-options.js'
import type { Profiles } from './profile/profile.js'
import { HandlesClient } from './sites/handles-client.js'
import { Sites } from './sites/sites.js'
import { defaultStorage, type SessionStorage } from './storage.js'
import type { DynamoDb } from './transport/dynamodb.js'
import type { S3 } from './transport/s3/client.js'
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
  const handles = new HandlesClient(checked.handlesApi)
  const storage = options.storage ?? defaultStorage()
  let s3: S3 | undefined
  let ddb: DynamoDb | undefined

  const auth: Auth = authFacade(checked, storage, async (adopt) => {
    // The sign-in code (user-pool calls over fetch, SRP) is a chunk of its own; the identity
    // exchange is another, loaded when credentials are first needed.
    const [{ Auth }, { Session }, { cognitoClient }] = await Promise.all([
      import('./auth/auth.js'),
      import('./auth/session.js'),
      import('./auth/cognito-api.js'),
    ])
    const call = cognitoClient(checked)
    let real: Auth | undefined
    const session = new Session({
      config: checked,
      storage,
      call,
      onEvent: options.onEvent,
      exchangeToken: async (idToken) => (await import('./auth/identity-exchange.js')).exchangeToken(checked, idToken),
      onLost: () => real && sessionOf(real).sessionLost(),
    })
    real = adopt(
      new Auth({
        config: checked,
        storage,
        session,
        call,
        lookupHandle: (idToken) => handles.own(idToken),
        deleteUserData: async () => (await import('./user-data.js')).deleteUserData(context),
      }),
    )
    return real
  })
  const session = sessionOf(auth)
  const context: WhimsyContext = {
    config: checked,
    // The nouns' view of auth: the public state and the session's plumbing (session-access.ts).
    auth: {
      ...session,
      get user() {
        return auth.user
      },
      get ready() {
        return auth.ready
      },
      onChange: (listener) => auth.onChange(listener),
    },
    handles,
    storage,
    get s3(): S3 {
      if (!s3) throw new Error('internal: the S3 client is used before its noun loaded it')
      return s3
    },
    get ddb(): DynamoDb {
      if (!ddb) throw new Error('internal: the DynamoDB client is used before its noun loaded it')
      return ddb
    },
    loadDynamoDb: () => loadDynamoDb(),
  }
  const changes = new ChangeFeed(context, feedOptions)
  context.changes = changes
  let s3Loading: Promise<void> | undefined
  let ddbLoading: Promise<void> | undefined
  const loadS3 = (): Promise<void> => {
    s3Loading ??= import('./s3-client.js').then((m) => {
      if (s3) return
      s3 = m.createS3Client(
        checked,
        () => session.credentials(),
        (command, input, output) => changes.ownWrites.record(command, input, output),
      )
    })
    return s3Loading
  }
  const loadDynamoDb = (): Promise<void> => {
    ddbLoading ??= import('./transport/dynamodb.js').then((m) => {
      ddb ??= new m.DynamoDb({
        region: checked.region,
        endpoint: checked.endpoints?.dynamodb,
        credentials: () => session.credentials(),
        onAnswer: (operation, input, output) => changes.ownWrites.record(`${operation}Command`, input, output),
      })
    })
    return ddbLoading
  }

  const fs = lazyNoun<Files>(
    'fs',
    async () => {
      const [{ Files }] = await Promise.all([import('./fs/fs.js'), loadS3()])
      return new Files(context)
    },
    (load) => ({
      list(path: string | FileRef = '/', options: { recursive?: boolean; pageSize?: number } = {}) {
        // Checked now, as Files.list does: a generator's body runs only when iterated.
        checkOptions('fs.list', options, LIST_OPTIONS)
        return afterLoading(load, (files) => files.list(path, options))
      },
      publicUrl: (path: string | FileRef) => publicUrlOf(context, path),
      watch: (...args: Parameters<Files['watch']>) => watchFolder(context, ...args),
      // A task at once, so it can be paused or cancelled while the files code still downloads.
      upload: (...args: Parameters<Files['upload']>) =>
        deferredUploadTask(
          load().then((files) => ({ task: files.upload(...args) })),
          typeof ReadableStream !== 'undefined' && args[1] instanceof ReadableStream ? STREAM_CANNOT_PAUSE : undefined,
        ),
    }),
  )
  const kvStore = async (namespace: string): Promise<KeyValueStore> => {
    const [{ KeyValue, KeyValueStore }] = await Promise.all([import('./kv/kv.js'), loadDynamoDb()])
    return namespace === '' ? new KeyValue(context) : new KeyValueStore(context, namespace)
  }
  const kvFacade = <T extends KeyValueStore>(namespace: string, extra: (load: Loader<T>) => object = () => ({})) =>
    lazyNoun<T>(
      'kv',
      () => kvStore(namespace) as Promise<T>,
      (load) => ({
        namespace,
        list(options: KvListOptions = {}) {
          planList(namespacePrefix(namespace), options) // throws now on bad options, as KeyValueStore.list does
          return {
            pages: () => afterLoading(load, (store) => store.list(options).pages()),
            [Symbol.asyncIterator]: () => afterLoading(load, (store) => store.list(options)),
          }
        },
        watch: (...args: Parameters<KeyValueStore['watch']>) => watchKeys(context, namespacePrefix(namespace), ...args),
        ...extra(load),
      }),
    )
  const kv = kvFacade<KeyValue>('', () => ({ app: (name: string) => kvFacade<KeyValueStore>(checkAppName(name)) }))
  const profile = lazyNoun<Profiles>(
    'profile',
    async () => {
      const [{ Profiles }] = await Promise.all([import('./profile/profile.js'), loadS3()])
      return new Profiles(context)
    },
    (load) => ({
      // Anyone's profile is a plain fetch of their site: a visitor's page loads neither the profile code nor S3 for it.
      get: async (handleOrOptions?: unknown, options?: ProfileCallOptions) => {
        if (isOwnProfile(handleOrOptions)) return (await load()).get(handleOrOptions ?? options ?? {})
        const { readPublicProfile } = await import('./profile/public-profile.js').catch(chunkFailed('profile'))
        return readPublicProfile(checked, handleOrOptions, options)
      },
      avatarUrl: (...args: Parameters<Profiles['avatarUrl']>) => avatarUrlOf(context, ...args),
    }),
  )
  return { config: checked, auth, fs, sites: new Sites(context), kv, profile, changes }
}

const isSessionStorage: Rule = (v) => {
  const s = v as Partial<Record<keyof SessionStorage, unknown>> | null
  const methods = ['getItem', 'setItem', 'removeItem', 'clear'] as const
  return typeof s === 'object' && s !== null && methods.every((m) => typeof s[m] === 'function')
    ? undefined
    : 'a session storage (an object with getItem, setItem, removeItem and clear, such as localStorage or memoryStorage())'
}
