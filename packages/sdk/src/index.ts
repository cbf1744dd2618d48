/**
 * Whimsy Space SDK: accounts, files, key-value data, profiles and sites for browser apps.
 * @example
 * import { createWhimsy } from '@whimsy/sdk'
 * const whimsy = createWhimsy(await (await fetch('http://127.0.0.1:4301/_whimsy/config.json')).json())
 * await whimsy.auth.signIn({ username: 'daniel', password: 'correct-horse-42' })
 */
export type { Auth, AuthChange, WhimsyEvent, WhimsyUser } from './auth/auth.js'
export type { ChangeFeed } from './changes/feed.js'
export type { Change, ChangeEvent, ChangeFeedOptions, Resync, SubscribeOptions, WebSocketConstructor } from './changes/types.js'
export type { WatchOptions } from './changes/watch.js'
export type { ChangeFeedConfig, PasswordPolicy, WhimsyConfig } from './config.js'
export { isWhimsyError, WhimsyError, type WhimsyErrorCode } from './errors.js'
export type { FileBody } from './fs/bodies.js'
export type {
  FileEntry,
  FileInfo,
  FileRef,
  Files,
  FolderOptions,
  Progress,
  ReadOptions,
  RemoveOptions,
  TransferOptions,
  UploadOptions,
  UploadState,
  UploadTask,
  WriteOptions,
} from './fs/fs.js'
export type {
  JsonValue,
  KeyValue,
  KeyValueStore,
  KvCallOptions,
  KvDeleteOptions,
  KvEntries,
  KvEntry,
  KvExpiry,
  KvList,
  KvListOptions,
  KvMeta,
  KvSetOptions,
  KvUpdate,
  KvUpdateOptions,
} from './kv/kv.js'
export { MAX_KEY_BYTES, normalizePath } from './paths.js'
export type { Profile, ProfileCallOptions, ProfileLink, Profiles } from './profile/profile.js'
export { PROFILE_LIMITS } from './profile/schema.js'
export type { Sites, SitesCallOptions } from './sites/sites.js'
export { memoryStorage, type SessionStorage } from './storage.js'
export { createWhimsy, type Whimsy, type WhimsyOptions } from './whimsy.js'
