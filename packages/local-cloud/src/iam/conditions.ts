/**
 * The Condition element: operator → key → values. All operators and all keys of a block must
 * hold; any one of a key's values may match. Set qualifiers follow AWS's documented logic,
 * including its sharp edge: `ForAllValues` over a missing or empty key is true.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import type { ConditionBlock, OneOrMore } from '@whimsy/infra/policies'
import { literal, matchesPattern, substitute, UNRESOLVED, type Variables } from './patterns.js'

/** Context keys of a request (`s3:prefix`, `dynamodb:LeadingKeys`, …); absent keys are undefined. */
export type ContextKeys = Readonly<Record<string, string | readonly string[] | undefined>>

type Compare = (actual: string, expected: string) => boolean

const comparators: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (a, e) => a === literal(e), negated: false },
  StringNotEquals: { compare: (a, e) => a === literal(e), negated: true },
  StringEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === literal(e).toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === literal(e).toLowerCase(), negated: true },
  StringLike: { compare: (a, e) => matchesPattern(e, a), negated: false },
  StringNotLike: { compare: (a, e) => matchesPattern(e, a), negated: true },
  ArnEquals: { compare: (a, e) => matchesPattern(e, a), negated: false },
  ArnLike: { compare: (a, e) => matchesPattern(e, a), negated: false },
  ArnNotEquals: { compare: (a, e) => matchesPattern(e, a), negated: true },
  ArnNotLike: { compare: (a, e) => matchesPattern(e, a), negated: true },
  Bool: { compare: (a, e) => a.toLowerCase() === literal(e).toLowerCase(), negated: false },
}

export class UnsupportedConditionError extends Error {}

export function conditionsHold(block: ConditionBlock | undefined, keys: ContextKeys, variables: Variables): boolean {
  if (!block) return true
  return Object.entries(block).every(([operator, byKey]) =>
    Object.entries(byKey).every(([key, expected]) => operatorHolds(operator, keys[key], toStrings(expected), variables)),
  )
}

function operatorHolds(operator: string, actual: string | readonly string[] | undefined, expected: string[], variables: Variables): boolean {
  if (operator === 'Null') {
    // `Null: true` means "the key is absent".
    const absent = actual === undefined || (Array.isArray(actual) && actual.length === 0)
    return expected.some((e) => (e.toLowerCase() === 'true') === absent)
  }
  const [qualifier, rest] = operator.includes(':') ? (operator.split(':', 2) as [string, string]) : [undefined, operator]
  const ifExists = rest.endsWith('IfExists')
  const name = ifExists ? rest.slice(0, -'IfExists'.length) : rest
  const comparator = comparators[name]
  if (!comparator) throw new UnsupportedConditionError(`Condition operator ${operator} is not supported`)

  // Policy variables inside condition values are bound too; an unbound one matches nothing.
  const patterns = expected.map((e) => substitute(e, variables)).filter((e): e is string => e !== UNRESOLVED)
  const matchesAny = (value: string) => patterns.some((p) => comparator.compare(value, p))
  const values = actual === undefined ? [] : typeof actual === 'string' ? [actual] : [...actual]

  if (qualifier === 'ForAllValues') {
    // True when every value matches — vacuously true for no values at all.
    return values.every((v) => (comparator.negated ? !matchesAny(v) : matchesAny(v)))
  }
  if (qualifier === 'ForAnyValue') {
    return values.some((v) => (comparator.negated ? !matchesAny(v) : matchesAny(v)))
  }
  if (qualifier !== undefined) throw new UnsupportedConditionError(`Condition qualifier ${qualifier} is not supported`)
  if (values.length === 0) return ifExists || comparator.negated
  return comparator.negated ? !values.some(matchesAny) : values.some(matchesAny)
}

function toStrings(v: OneOrMore<string | boolean | number>): string[] {
  return (Array.isArray(v) ? v : [v]).map(String)
}
