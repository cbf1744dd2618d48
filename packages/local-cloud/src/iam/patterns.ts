/**
 * IAM string patterns: `*` matches any run of characters (slashes included), `?` exactly one,
 * and `${var}` is replaced by the request's value of that policy variable.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */

export type Variables = Readonly<Record<string, string | undefined>>

/** Marks a pattern that names a variable the request does not have: such a pattern matches nothing. */
export const UNRESOLVED = Symbol('unresolved policy variable')

/**
 * Replaces `${name}` with its value. The special `${*}`, `${?}` and `${$}` stand for the literal
 * characters. Substituted values are escaped so a `*` inside an identity id stays literal.
 */
export function substitute(pattern: string, variables: Variables): string | typeof UNRESOLVED {
  let unresolved = false
  const out = pattern.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name === '*' || name === '?' || name === '$') return `\u0000${name}`
    const value = variables[name]
    if (value === undefined) {
      unresolved = true
      return ''
    }
    return value.replace(/[*?]/g, (c) => `\u0000${c}`)
  })
  return unresolved ? UNRESOLVED : out
}

/** Whether `value` matches an already substituted IAM pattern (`\u0000x` is a literal `x`). */
export function matchesPattern(pattern: string, value: string, ignoreCase = false): boolean {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i)
    if (c === '\u0000') {
      re += escapeRegExp(pattern.charAt(++i))
    } else if (c === '*') {
      re += '[\\s\\S]*'
    } else if (c === '?') {
      re += '[\\s\\S]'
    } else {
      re += escapeRegExp(c)
    }
  }
  return new RegExp(`${re}$`, ignoreCase ? 'i' : '').test(value)
}

/** Exact comparison after substitution; wildcards are literal characters here. */
export function literal(pattern: string): string {
  return pattern.replace(/\u0000(.)/g, '$1')
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
