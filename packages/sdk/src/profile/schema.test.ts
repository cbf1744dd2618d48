import { describe, expect, it } from 'vitest'
import { WhimsyError } from '../errors.js'
import { checkProfile } from './schema.js'

function messageOf(input: unknown): string {
  try {
    checkProfile(input)
  } catch (e) {
    if (e instanceof WhimsyError && e.code === 'InvalidInput') return e.message
    throw e
  }
  throw new Error('accepted')
}

describe('checkProfile', () => {
  it('accepts a full profile and trims its strings', () => {
    expect(
      checkProfile({
        links: [{ url: 'https://danielx.net', title: ' Blog ' }],
        avatar: '/public/me.png',
        bio: 'I make zines.\nAnd games.',
        displayName: ' Daniel ',
      }),
    ).toEqual({ displayName: 'Daniel', bio: 'I make zines.\nAnd games.', avatar: '/public/me.png', links: [{ title: 'Blog', url: 'https://danielx.net' }] })
    expect(checkProfile({})).toEqual({})
    expect(checkProfile({ avatar: 'https://example.com/a.png' }).avatar).toBe('https://example.com/a.png')
  })

  it.each([
    [{ website: 'x' }, 'profile.website is not a profile field'],
    [{ displayName: 'x'.repeat(65) }, 'profile.displayName is at most 64 characters'],
    [{ displayName: '' }, 'profile.displayName is empty'],
    [{ displayName: 'a\nb' }, 'profile.displayName is one line'],
    [{ displayName: 42 }, 'profile.displayName is text'],
    [{ bio: 'x'.repeat(1001) }, 'profile.bio is at most 1,000 characters'],
    [{ bio: 'bell\u0007' }, 'profile.bio has control characters'],
    [{ avatar: '/private/me.png' }, 'profile.avatar is a file in your public folder'],
    [{ avatar: '/public/../secret.png' }, 'profile.avatar is a file in your public folder'],
    [{ avatar: '/public/' }, 'profile.avatar is a file in your public folder'],
    [{ avatar: 'javascript:alert(1)' }, 'profile.avatar is an https: address'],
    [{ avatar: 'http://example.com/a.png' }, 'profile.avatar is an https: address'],
    [{ links: 'x' }, 'profile.links is a list'],
    [{ links: Array.from({ length: 11 }, () => ({ title: 'a', url: 'https://a.example' })) }, 'profile.links has at most 10 entries'],
    [{ links: [{ title: 'a', url: 'data:text/html,x' }] }, 'profile.links[0].url is an https: or http: address'],
    [{ links: [{ title: 'a', url: 'https://u:p@example.com' }] }, 'profile.links[0].url must not carry'],
    [{ links: [{ title: 'a', url: 'https://a.example', rel: 'me' }] }, 'profile.links[0].rel is not a link field'],
    [{ links: [{ url: 'https://a.example' }] }, 'profile.links[0].title is missing'],
    // Regressions from review: invisible spoofing characters, %-escaped dot segments.
    [{ displayName: 'admin\u202egnp.exe' }, 'profile.displayName is one line without control'],
    [{ displayName: 'dan\u200bielx' }, 'profile.displayName is one line without control'],
    [{ bio: 'h\ufeffi' }, 'profile.bio has control characters'],
    [{ links: [{ title: 'a', url: 'https:evil.example/a' }] }, 'profile.links[0].url is a full address'],
    [{ avatar: '/public/%2e%2e/x.png' }, 'profile.avatar is a file in your public folder'],
    [null, 'A profile is an object'],
    [[], 'A profile is an object'],
  ])('refuses %j, naming the field', (input, message) => {
    expect(messageOf(input)).toContain(message)
  })
})
