/**
 * The push channel of an identity: `/changes/<region>-<uuid hex>`. AppSync Events segments are
 * at most 50 characters of letters, digits and `-`; an identityId is up to 51 and has a colon.
 * The same rule as `@whimsy/change-feed`'s channel-name.ts (the writer publishes there, the
 * channel's handler checks it), repeated here because the SDK imports no server package;
 * `test/channel-name.test.ts` holds both to one answer.
 */
const IDENTITY_ID = /^([a-z]{2}(?:-[a-z]+)+-\d):([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/

export function channelOf(identityId: string): string | undefined {
  const m = IDENTITY_ID.exec(identityId)
  return m ? `/changes/${m[1]}-${m.slice(2).join('')}` : undefined
}
