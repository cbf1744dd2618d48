/**
 * The push channel of an identity. AppSync Events channel segments are at most 50 characters of
 * letters, digits and `-`; an identityId (`<region>:<uuid>`) is up to 51 and has a colon. The
 * name keeps the region and the uuid's 32 hex digits (at most 14 + 1 + 32 = 47 characters):
 * reversible by plain string operations, so the channel's subscribe handler (APPSYNC_JS, which
 * has no hash functions to speak of) can compare it with the caller's own identityId.
 */

export const CHANNEL_NAMESPACE = 'changes'

const IDENTITY_ID = /^([a-z]{2}(?:-[a-z]+)+-\d):([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/

/** `/changes/<region>-<uuid hex>`, or undefined for a string that is no identityId. */
export function channelFor(identityId: string): string | undefined {
  const m = IDENTITY_ID.exec(identityId)
  if (!m) return undefined
  return `/${CHANNEL_NAMESPACE}/${m[1]}-${m.slice(2).join('')}`
}
