import { describe, expect, it } from 'vitest'
import { classifyPath } from './local-routes.js'

describe('classifyPath (issue 11, finding 5)', () => {
  it.each([
    ['/_whimsy/mailbox', '/_whimsy/mailbox'],
    ['/_whimsy/mailbox/', '/_whimsy/mailbox'],
    ['/_whimsy/%6dailbox', '/_whimsy/mailbox'],
    ['/%5Fwhimsy/mailbox', '/_whimsy/mailbox'],
    ['/_whimsy/handles/available/a%20b', '/_whimsy/handles/available/a%20b'],
    ['/_whimsy', '/_whimsy'],
  ])('reads %s as the local path %s', (raw, path) => {
    expect(classifyPath(raw)).toMatchObject({ kind: 'local', path })
  })

  it.each([
    '/_whimsy/./mailbox',
    '/_whimsy//mailbox',
    '/_whimsy/x/../mailbox',
    '/_whimsy/%2e%2e/mailbox',
    '/_whimsy%2fmailbox',
    '/_whimsy/mail%2fbox',
    '/_whimsy/mail%5cbox',
    '/_whimsy/mail\\box',
    '/_whimsy/mail%00box',
    '/_whimsy/%zz',
    '//_whimsy/mailbox',
    '/./_whimsy/mailbox',
    '/whimsy-local/../_whimsy/mailbox',
    '/whimsy-local/%2e%2e/_whimsy/mailbox',
    'http://evil.example/_whimsy/mailbox',
    '*',
  ])('refuses %s', (raw) => {
    expect(classifyPath(raw).kind).toBe('refused')
  })

  it.each([
    '/',
    '/whimsy-local/a/b.txt',
    '/whimsy-local/us-east-1%3Aabc/_whimsy/x',
    '/whimsy-local/a/../b',
    '/whimsy-local/%zz',
    '/_WHIMSY/mailbox',
  ])('leaves %s to the AWS endpoints', (raw) => {
    expect(classifyPath(raw)).toEqual({ kind: 'aws' })
  })
})
