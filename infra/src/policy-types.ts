/**
 * The subset of the IAM policy grammar that Whimsy Space writes and the local cloud evaluates.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
export type OneOrMore<T> = T | T[]

export type ConditionValue = string | boolean | number
/** `{ "StringLike": { "s3:prefix": ["a/", "a/*"] } }` — operator → key → allowed values. */
export type ConditionBlock = Record<string, Record<string, OneOrMore<ConditionValue>>>

export type Principal = '*' | { AWS?: OneOrMore<string>; Federated?: OneOrMore<string>; Service?: OneOrMore<string> }

export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Principal?: Principal
  Action?: OneOrMore<string>
  NotAction?: OneOrMore<string>
  Resource?: OneOrMore<string>
  NotResource?: OneOrMore<string>
  Condition?: ConditionBlock
}

export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}
