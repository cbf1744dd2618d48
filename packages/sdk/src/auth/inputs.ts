/** What each auth call checks before a request: usernames, e-mail addresses, codes, passwords, options. */
import { checkOptions, is } from '../args.js'
import { COGNITO_DEFAULT_PASSWORD_POLICY, type WhimsyConfig } from '../config.js'
import { WhimsyError } from '../errors.js'
import { describePasswordPolicy, joinPhrases, passwordProblems } from './password-policy.js'
import type { AuthCallOptions } from './types.js'

export const callOptions = (call: string, options: unknown) => checkOptions<AuthCallOptions>(call, options, { signal: is.signal })

export function checkPassword(config: WhimsyConfig, password: string): void {
  const policy = config.passwordPolicy ?? COGNITO_DEFAULT_PASSWORD_POLICY
  if (typeof password !== 'string' || password === '') throw new WhimsyError('InvalidPassword', `Choose a password. ${describePasswordPolicy(policy)}`)
  const problems = passwordProblems(policy, password)
  if (problems.length > 0) throw new WhimsyError('InvalidPassword', `That password needs ${joinPhrases(problems)}. ${describePasswordPolicy(policy)}`)
}

/** Cognito's username rule: no whitespace, 1–128 characters (an e-mail address fits it too). */
export function checkUsername(username: unknown): string {
  if (typeof username !== 'string' || username.length === 0) throw new WhimsyError('InvalidInput', 'Enter a username.')
  if (/\s/u.test(username)) throw new WhimsyError('InvalidInput', 'A username cannot contain spaces.')
  if ([...username].length > 128) throw new WhimsyError('InvalidInput', 'A username can be at most 128 characters long.')
  return username
}

export function checkEmail(email: unknown): string {
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/.test(email))
    throw new WhimsyError('InvalidInput', `"${String(email)}" is not an e-mail address.`)
  return email
}

export function checkCode(code: unknown): string {
  if (typeof code !== 'string' || !/^\S{1,32}$/.test(code)) throw new WhimsyError('InvalidInput', 'Enter the code from the e-mail.')
  return code
}
