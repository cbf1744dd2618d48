import type { LocalCloud } from '@whimsy/local-cloud'

/** What test files get of the shared local cloud (plain data: it crosses process boundaries). */
export interface CloudInfo {
  config: LocalCloud['config']
  urls: LocalCloud['urls']
  admin: LocalCloud['admin']
  dataDir: string
  /** The handle registry's table (no user may read or write it). */
  handlesTable?: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudInfo
  }
}
