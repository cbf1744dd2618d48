import { describe, expect, it } from 'vitest'
import type { PasswordPolicy } from '../config.js'
import { describePasswordPolicy, passwordProblems } from './password-policy.js'

const strict: PasswordPolicy = { minimumLength: 10, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true }
const local: PasswordPolicy = { minimumLength: 8, requireLowercase: true, requireUppercase: false, requireNumbers: true, requireSymbols: false }

describe('passwordProblems', () => {
  it.each([
    ['correct-horse-42', local, []],
    ['short1', local, ['at least 8 characters']],
    ['NOLOWERCASE1', local, ['a lowercase letter']],
    ['nonumbershere', local, ['a number']],
    ['Abcdefgh1!x', strict, []],
    ['abcdefgh1!x', strict, ['an uppercase letter']],
    ['Abcdefgh12x', strict, ['a symbol']],
    [' leading-space-1', local, ['no leading or trailing space']],
    ['ünïcödé-wörd-1', local, []],
  ])('%s', (password, policy, expected) => {
    expect(passwordProblems(policy, password)).toEqual(expected)
  })

  it('counts code points, not UTF-16 units', () => {
    expect(passwordProblems({ ...local, requireNumbers: false, requireLowercase: false }, '😀😀😀😀😀😀😀')).toEqual(['at least 8 characters'])
  })
})

describe('describePasswordPolicy', () => {
  it('names every rule', () => {
    expect(describePasswordPolicy(local)).toBe('Passwords need at least 8 characters, a lowercase letter and a number.')
    expect(describePasswordPolicy(strict)).toBe('Passwords need at least 10 characters, a lowercase letter, an uppercase letter, a number and a symbol.')
  })
})
