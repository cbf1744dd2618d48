export { type ByteRange, noneMatchHits, parseRange } from './conditional.js'
export { checkEdgeConfig, EdgeConfigError } from './edge-config.js'
export { type CachedHandleLookup, cachedHandleLookup, type HandleCacheOptions, type HandleLookup } from './handle-cache.js'
export { checkHandle, type HandleCheck, isValidHandle, MAX_HANDLE_LENGTH, normalizeHandle, RESERVED_HANDLES } from './handles.js'
export { type ApiRequest, type ApiResponse, createHandlesApi, type ErrorCode, type HandlesApiOptions } from './handles-api.js'
export { type Availability, type ClaimResult, HandleRegistry, type HandleRegistryOptions } from './registry.js'
export { type Folder, IDENTITY_ID, keyToUri, publicKey, type Resolution, resolve, resolvePath, siteHandle } from './resolve.js'
export {
  contentTypeOf,
  createSiteHandler,
  type ObjectFetcher,
  type ObjectMeta,
  type Route,
  type SiteBody,
  type SiteHandler,
  type SiteRequest,
  type SiteResponse,
} from './site-handler.js'
