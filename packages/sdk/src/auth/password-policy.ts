/**
 * The user pool's password rules as a pure check, so the SDK can refuse a weak password before
 * the network and the local cloud can enforce the rules cognito-local ignores. The symbol set
 * is Cognito's: https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html
 */
import type { PasswordPolicy } from '../config.js'

const COGNITO_SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-'.split(''))

/** What a password lacks under `policy`, as phrases a person reads; empty when it passes. */
export function passwordProblems(policy: PasswordPolicy, password: string): string[] {
  const problems: string[] = []
  if ([...password].length < policy.minimumLength) problems.push(`at least ${policy.minimumLength} characters`)
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) problems.push('a lowercase letter')
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) problems.push('an uppercase letter')
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push('a number')
  if (policy.requireSymbols && ![...password].some((c) => COGNITO_SYMBOLS.has(c))) problems.push('a symbol')
  if (/^\s|\s$/.test(password)) problems.push('no leading or trailing space')
  return problems
}

/** The rules in one sentence, e.g. "Passwords need at least 8 characters, a lowercase letter and a number." */
export function describePasswordPolicy(policy: PasswordPolicy): string {
  return `Passwords need ${joinPhrases(passwordProblems(policy, ''))}.`
}

export function joinPhrases(phrases: string[]): string {
  if (phrases.length <= 1) return phrases.join('')
  return `${phrases.slice(0, -1).join(', ')} and ${phrases.at(-1)}`
}
