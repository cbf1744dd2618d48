/**
 * Argument checks for the public API, run before any request. Each failure is
 * `WhimsyError('InvalidInput')` naming the call and the argument, e.g.
 * `fs.upload: options.concurrency must be a whole number from 1 to 16, not the number 0.`
 *
 * Hand-written, not a schema library: the API needs a handful of shapes (text, a function, a
 * whole number in a range, an object with known keys), its messages follow the SDK's wording,
 * and every byte here ships to browsers (this module is about 1.1 kB min+gzip).
 */
import { WhimsyError } from './errors.js'

/** Says what a value should be (`'a string'`), or `undefined` when it is fine. */
export type Rule = (value: unknown) => string | undefined

const count = (n: number) => n.toLocaleString('en')

/** The rules the API's arguments and options are made of. */
export const is = {
  string: ((v) => (typeof v === 'string' ? undefined : 'a string')) as Rule,
  boolean: ((v) => (typeof v === 'boolean' ? undefined : 'true or false')) as Rule,
  function: ((v) => (typeof v === 'function' ? undefined : 'a function')) as Rule,
  object: ((v) => (isPlainObject(v) ? undefined : 'an object')) as Rule,
  signal: ((v) => (isAbortSignal(v) ? undefined : 'an AbortSignal (from an AbortController)')) as Rule,
  /** A whole number from `min` to `max`. */
  wholeNumber:
    (min: number, max: number, unit = ''): Rule =>
    (v) =>
      typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `a whole number${unit} from ${count(min)} to ${count(max)}`,
  /** One of the given values exactly. */
  oneOf:
    (...values: readonly unknown[]): Rule =>
    (v) =>
      values.includes(v) ? undefined : values.map((x) => JSON.stringify(x)).join(' or '),
  /**
   * Text that travels as one HTTP header value: printable ASCII, no CR or LF (a header split
   * in two is a header injected), at most `max` characters.
   */
  headerText:
    (max: number): Rule =>
    (v) =>
      typeof v === 'string' && v.length > 0 && v.length <= max && /^[\x20-\x7e]*$/.test(v)
        ? undefined
        : `printable ASCII text on one line (1 to ${count(max)} characters; it is sent as an HTTP header)`,
}

/** How a value reads in a message: `the number 5`, `the string "x"`, `nothing`. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
    case 'number':
    case 'bigint':
    case 'boolean':
      return `the ${typeof value} ${String(value)}`
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    default:
      return isPlainObject(value)
        ? 'an object'
        : `a ${(Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'value'}`
  }
}

/** `InvalidInput`: `${call}: ${name} must be ${expected}, not ${what it was}.` */
export function invalid(call: string, name: string, expected: string, value: unknown): WhimsyError {
  return new WhimsyError('InvalidInput', `${call}: ${name} must be ${expected}, not ${describe(value)}.`)
}

/** Checks one positional argument. */
export function checkArgument<T>(call: string, name: string, value: unknown, rule: Rule): T {
  const expected = rule(value)
  if (expected !== undefined) throw invalid(call, name, expected, value)
  return value as T
}

/**
 * Checks an options object: absent is `{}`; anything but a plain object, a key not in `rules`
 * (a misspelt option would otherwise be ignored) or a value its rule refuses is `InvalidInput`.
 * `undefined` values count as absent, as they do for the API.
 */
export function checkOptions<T extends object>(call: string, options: unknown, rules: { readonly [K in keyof T]-?: Rule }, name = 'options'): T {
  if (options === undefined) return {} as T
  if (!isPlainObject(options)) throw invalid(call, name, 'an object', options)
  const known = Object.keys(rules)
  for (const [key, value] of Object.entries(options)) {
    const rule = (rules as Record<string, Rule | undefined>)[key]
    if (!rule || !Object.hasOwn(rules, key))
      throw new WhimsyError(
        'InvalidInput',
        `${call}: unknown ${name === 'options' ? 'option' : 'field'} "${key}"; the ${name === 'options' ? 'options' : 'fields'} are ${known.join(', ')}.`,
      )
    if (value === undefined) continue
    const expected = rule(value)
    if (expected !== undefined) throw invalid(call, `${name}.${key}`, expected, value)
  }
  return options as T
}

/**
 * Checks the one object argument of calls like `auth.signIn({ username, password })`: it must
 * be there, be an object and have no unknown fields (each field's own checks come after).
 */
export function checkInput<T extends object>(call: string, input: unknown, fields: { readonly [K in keyof T]-?: Rule }): T {
  if (!isPlainObject(input)) throw new WhimsyError('InvalidInput', `${call} takes { ${Object.keys(fields).join(', ')} }, not ${describe(input)}.`)
  return checkOptions<T>(call, input, fields, 'input')
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** An AbortSignal, also one from another realm (an iframe, a test runner's jsdom). */
export function isAbortSignal(v: unknown): v is AbortSignal {
  if (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal) return true
  const s = v as Partial<AbortSignal> | null
  return typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function'
}
