/** `fs.watch` and `kv.watch`: `whimsy.changes` narrowed to a folder or a key prefix, from now on. */
import { checkOptions, is } from '../args.js'
import { WhimsyError } from '../errors.js'
import { isWithin, normalizePath, parentOf } from '../paths.js'
import type { WhimsyContext } from '../whimsy-context.js'
import type { ChangeEvent } from './types.js'

export interface WatchOptions {
  /** Changes in sub-folders too. Default: only the folder's own entries. */
  recursive?: boolean
  /** Deliver changes after this sequence number (default: from now on). */
  since?: number
}

function feedOf(ctx: WhimsyContext, what: string) {
  if (!ctx.changes) throw new WhimsyError('InvalidConfig', `${what}: this SDK instance has no change feed.`)
  return ctx.changes
}

export function watchFolder(ctx: WhimsyContext, folder: string, listener: (event: ChangeEvent) => void, options: WatchOptions = {}): () => void {
  checkOptions<WatchOptions>('fs.watch', options, { recursive: is.boolean, since: is.wholeNumber(0, Number.MAX_SAFE_INTEGER) })
  const root = normalizePath(folder)
  const inside = (path: string) => (options.recursive ? path !== root && isWithin(path, root) : parentOf(path) === root && path !== root)
  const since = options.since === undefined ? {} : { since: options.since }
  return feedOf(ctx, 'fs.watch').watch(
    'fs.watch',
    (event) => {
      if (event.type === 'resync' || (event.kind === 'file' && event.path !== undefined && inside(event.path))) listener(event)
    },
    since,
    false,
  )
}

/** `namespace` is the stored-key prefix of the store (`paint:`, or `:` for `whimsy.kv`). */
export function watchKeys(
  ctx: WhimsyContext,
  namespace: string,
  prefix: string,
  listener: (event: ChangeEvent) => void,
  options: { since?: number } = {},
): () => void {
  if (typeof prefix !== 'string') throw new WhimsyError('InvalidInput', 'kv.watch: the key prefix is a string ("" for every key).')
  checkOptions<{ since?: number }>('kv.watch', options, { since: is.wholeNumber(0, Number.MAX_SAFE_INTEGER) })
  const stored = namespace + prefix
  return feedOf(ctx, 'kv.watch').watch(
    'kv.watch',
    (event) => {
      if (event.type === 'resync') return listener(event)
      if (event.kind === 'kv' && event.key?.startsWith(stored)) listener({ ...event, key: event.key.slice(namespace.length) })
    },
    options,
    false,
  )
}
