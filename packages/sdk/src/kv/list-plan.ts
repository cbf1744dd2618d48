/**
 * The checks and key range of `kv.list`, apart from the DynamoDB code: `kv.list()` throws on
 * bad options synchronously, and the lazily loaded `kv` facade (lazy-noun.ts) must do so
 * before the key-value code has loaded.
 */
import { checkOptions, is, type Rule } from '../args.js'
import { WhimsyError } from '../errors.js'
import { startPosition, storedKey } from './keys.js'
import type { KvListOptions } from './kv.js'

export interface ListPlan {
  storedPrefix: string
  after: string | undefined
  limit: number
  pageSize: number
  position: ReturnType<typeof startPosition>
}

/** `prefix` is the namespace's stored prefix (`''` for `whimsy.kv` itself). */
export function planList(namespacePrefix: string, options: KvListOptions): ListPlan {
  const checkedBelow: Rule = () => undefined
  checkOptions('kv.list', options, { prefix: checkedBelow, startAfter: checkedBelow, limit: checkedBelow, pageSize: checkedBelow, signal: is.signal })
  const prefix = options.prefix ?? ''
  if (typeof prefix !== 'string') throw new WhimsyError('InvalidInput', 'kv.list: prefix is a string.')
  // A prefix is checked as a key would be ('' lists everything).
  const storedPrefix = prefix === '' ? namespacePrefix : storedKey(namespacePrefix, prefix)
  const after = options.startAfter === undefined ? undefined : storedKey(namespacePrefix, options.startAfter)
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  if (options.limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new WhimsyError('InvalidInput', 'kv.list: limit is a positive whole number.')
  const pageSize = options.pageSize ?? 100
  if (!(Number.isInteger(pageSize) && pageSize > 0 && pageSize <= 1000))
    throw new WhimsyError('InvalidInput', 'kv.list: pageSize is a whole number from 1 to 1,000.')
  return { storedPrefix, after, limit, pageSize, position: startPosition(storedPrefix, after) }
}
