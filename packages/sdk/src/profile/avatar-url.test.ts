import { describe, expect, it } from 'vitest'
import type { WhimsyUser } from '../auth/types.js'
import type { WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import { avatarUrlOf } from './avatar-url.js'

const config = {
  region: 'eu-west-1',
  bucket: 'files',
  sitesDomain: 'whimsy.space',
  endpoints: { s3: 'http://127.0.0.1:4301' },
  s3ForcePathStyle: true,
} as unknown as WhimsyConfig
const ctx = (user: WhimsyUser | null = null) => ({ config, auth: { user } })
const me: WhimsyUser = { username: 'daniel', identityId: 'eu-west-1:abc', handle: 'danielx' }
const meWithoutHandle: WhimsyUser = { username: 'daniel', identityId: 'eu-west-1:abc' }

describe('profile.avatarUrl', () => {
  it.each([
    ['a file on the named owner’s site', ctx(), { avatar: '/public/me.png' }, 'ada', 'https://ada.whimsy.space/me.png'],
    ['the handle as typed (trimmed, lowercased)', ctx(), { avatar: '/public/me.png' }, ' Ada ', 'https://ada.whimsy.space/me.png'],
    ['a path encoded per segment', ctx(), { avatar: '/public/my pics/ça #1.png' }, 'ada', 'https://ada.whimsy.space/my%20pics/%C3%A7a%20%231.png'],
    [
      'the signed-in user’s own, on their site',
      ctx(me),
      { avatar: '/public/whimsy.space/avatar.png' },
      undefined,
      'https://danielx.whimsy.space/whimsy.space/avatar.png',
    ],
    ['a named handle over the user’s own', ctx(me), { avatar: '/public/me.png' }, 'ada', 'https://ada.whimsy.space/me.png'],
    [
      'the user’s own before a handle: the bucket address',
      ctx(meWithoutHandle),
      { avatar: '/public/me.png' },
      undefined,
      'http://127.0.0.1:4301/files/eu-west-1%3Aabc/public/me.png',
    ],
    ['an https address as it is', ctx(), { avatar: 'https://example.com/a.png' }, 'ada', 'https://example.com/a.png'],
    ['no avatar', ctx(), { displayName: 'Ada' }, 'ada', null],
    ['no profile', ctx(), null, 'ada', null],
    ['a javascript: address (a document not checked by profile.get)', ctx(), { avatar: 'javascript:alert(1)' }, 'ada', null],
    ['an http address', ctx(), { avatar: 'http://example.com/a.png' }, 'ada', null],
  ] as const)('%s', (_, context, profile, handle, expected) => {
    expect(avatarUrlOf(context, profile, handle)).toBe(expected)
  })

  it('refuses what cannot be an address, before anything', () => {
    const codeOf = (f: () => unknown): unknown[] => {
      try {
        f()
      } catch (e) {
        return e instanceof WhimsyError ? [e.code, e.message] : [e]
      }
      return ['no error']
    }
    expect(codeOf(() => avatarUrlOf(ctx(), { avatar: '/public/me.png' }))).toEqual([
      'InvalidHandle',
      "profile.avatarUrl: pass the handle of the profile's owner; the avatar is a file on their site.",
    ])
    expect(codeOf(() => avatarUrlOf(ctx(), { avatar: '/public/me.png' }, 'www'))[0]).toBe('InvalidHandle')
    expect(codeOf(() => avatarUrlOf(ctx(), { avatar: '/public/me.png' }, 'x@evil.example#'))[0]).toBe('InvalidHandle')
    expect(codeOf(() => avatarUrlOf(ctx(), 'me.png' as never, 'ada'))).toEqual([
      'InvalidInput',
      'profile.avatarUrl: profile must be an object, not the string "me.png".',
    ])
    expect(codeOf(() => avatarUrlOf(ctx(), {}, 5 as never))).toEqual(['InvalidInput', 'profile.avatarUrl: handle must be a string, not the number 5.'])
  })
})
