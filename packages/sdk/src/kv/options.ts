/** The options the `kv` calls share (expiry, `ifVersion`, known names), checked before any request. */
import { checkOptions as checkKnown, is, type Rule } from '../args.js'
import { WhimsyError } from '../errors.js'
import type { KvExpiry } from './types.js'
import { expirySeconds } from './values.js'

/** The furthest expiry accepted: 10 years, a bound that catches units mixed up (ms as seconds). */
const MAX_EXPIRY_SECONDS = 10 * 365 * 24 * 3600

export function expiryOf(options: KvExpiry, nowMs = Date.now()): number | undefined {
  const { ttl, expiresAt } = options
  if (ttl !== undefined && expiresAt !== undefined) throw new WhimsyError('InvalidInput', 'Give ttl or expiresAt, not both.')
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || !(ttl > 0) || ttl > MAX_EXPIRY_SECONDS)
      throw new WhimsyError(
        'InvalidInput',
        `ttl is a number of seconds above 0 and at most 10 years (${MAX_EXPIRY_SECONDS.toLocaleString('en')}); got ${String(ttl)}.`,
      )
    return expirySeconds(new Date(nowMs + ttl * 1000))
  }
  if (expiresAt !== undefined) {
    const ms = expiresAt instanceof Date ? expiresAt.getTime() : typeof expiresAt === 'number' ? expiresAt : Number.NaN
    if (!Number.isFinite(ms)) throw new WhimsyError('InvalidInput', 'expiresAt is a Date or epoch milliseconds.')
    if (ms < 1e12)
      throw new WhimsyError(
        'InvalidInput',
        `expiresAt is milliseconds since the epoch (a Date or Date.now()+…); ${ms} looks like seconds, or a time long past.`,
      )
    if (ms <= nowMs) throw new WhimsyError('InvalidInput', `expiresAt ${new Date(ms).toISOString()} is in the past; an expiry is a time to come.`)
    if (ms > nowMs + MAX_EXPIRY_SECONDS * 1000) throw new WhimsyError('InvalidInput', `expiresAt ${new Date(ms).toISOString()} is more than 10 years ahead.`)
    return expirySeconds(new Date(ms))
  }
  return undefined
}

export function versionOf(v: unknown): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new WhimsyError('InvalidInput', 'ifVersion is a version number from a previous get, set or update.')
  return v
}

/** Known option names; their values are checked where they are used (`expiryOf`, `versionOf`…), with messages of their own. */
export function checkOptions(options: object, known: string[], what: string): void {
  const checkedLater: Rule = () => undefined
  checkKnown(what, options, { ...Object.fromEntries(known.map((k) => [k, checkedLater])), signal: is.signal })
}
