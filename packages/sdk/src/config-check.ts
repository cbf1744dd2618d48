/**
 * Checks the configuration object when `createWhimsy` is called, so a typo fails at once with
 * the field's name instead of as a puzzling network error on the first sign-in.
 */
import type { WhimsyConfig } from './config.js'
import { WhimsyError } from './errors.js'

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/
const USER_POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/
const IDENTITY_POOL_ID = /^[\w-]+:[0-9a-f-]+$/
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
const TABLE = /^[a-zA-Z0-9_.-]{3,255}$/
const SITES_DOMAIN = /^[a-z0-9.-]+(:\d{1,5})?$/

/** Returns a checked copy of `input`, or throws `WhimsyError('InvalidConfig')` naming the field. */
export function checkConfig(input: unknown): WhimsyConfig {
  if (!input || typeof input !== 'object') fail('', 'the configuration must be an object (the local cloud serves it at /_whimsy/config.json)')
  const c = input as Record<string, unknown>
  const text = (field: string, pattern: RegExp, example: string): string => {
    const value = c[field]
    if (value === undefined || value === null || value === '') fail(field, `is missing (e.g. ${example})`)
    if (typeof value !== 'string' || !pattern.test(value)) fail(field, `is malformed: ${JSON.stringify(value)} (e.g. ${example})`)
    return value
  }
  const url = (field: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined
    if (typeof value !== 'string' || !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)) fail(field, `must be an http(s) URL, not ${JSON.stringify(value)}`)
    return value.replace(/\/+$/, '')
  }

  const config: WhimsyConfig = {
    region: text('region', REGION, 'us-east-1'),
    userPoolId: text('userPoolId', USER_POOL_ID, 'us-east-1_AbCdEf123'),
    userPoolClientId: text('userPoolClientId', /^[\w+]+$/, '5abc1defg2hijk3lmno4pqrst'),
    identityPoolId: text('identityPoolId', IDENTITY_POOL_ID, 'us-east-1:0f1e2d3c-…'),
    bucket: text('bucket', BUCKET, 'whimsy-space-files'),
    table: text('table', TABLE, 'whimsy-space-data'),
    sitesDomain: text('sitesDomain', SITES_DOMAIN, 'whimsy.space'),
    handlesApi: url('handlesApi', c.handlesApi) ?? fail('handlesApi', 'is missing (the URL of the handle claim function)'),
  }
  if (c.sitesProtocol !== undefined) {
    if (c.sitesProtocol !== 'https' && c.sitesProtocol !== 'http') fail('sitesProtocol', 'must be "https" or "http"')
    config.sitesProtocol = c.sitesProtocol
  }
  if (c.authFlow !== undefined) {
    if (c.authFlow !== 'USER_SRP_AUTH' && c.authFlow !== 'USER_PASSWORD_AUTH') fail('authFlow', 'must be "USER_SRP_AUTH" or "USER_PASSWORD_AUTH"')
    config.authFlow = c.authFlow
  }
  if (c.endpoints !== undefined) {
    if (!c.endpoints || typeof c.endpoints !== 'object') fail('endpoints', 'must be an object of URLs')
    const e = c.endpoints as Record<string, unknown>
    const known = ['cognitoIdentityProvider', 'cognitoIdentity', 's3', 'dynamodb', 'sites']
    for (const key of Object.keys(e)) if (!known.includes(key)) fail(`endpoints.${key}`, `is not a known endpoint (${known.join(', ')})`)
    config.endpoints = {}
    for (const key of known as (keyof NonNullable<WhimsyConfig['endpoints']>)[]) {
      const value = url(`endpoints.${key}`, e[key])
      if (value) config.endpoints[key] = value
    }
  }
  if (c.s3ForcePathStyle !== undefined) {
    if (typeof c.s3ForcePathStyle !== 'boolean') fail('s3ForcePathStyle', 'must be true or false')
    config.s3ForcePathStyle = c.s3ForcePathStyle
  }
  if (c.passwordPolicy !== undefined) {
    const p = c.passwordPolicy as Record<string, unknown>
    if (!p || typeof p !== 'object') fail('passwordPolicy', 'must be an object')
    if (typeof p.minimumLength !== 'number' || !Number.isInteger(p.minimumLength) || p.minimumLength < 6 || p.minimumLength > 99)
      fail('passwordPolicy.minimumLength', 'must be a whole number from 6 to 99')
    for (const flag of ['requireLowercase', 'requireUppercase', 'requireNumbers', 'requireSymbols'])
      if (typeof p[flag] !== 'boolean') fail(`passwordPolicy.${flag}`, 'must be true or false')
    config.passwordPolicy = { ...(p as unknown as NonNullable<WhimsyConfig['passwordPolicy']>) }
  }
  if (c.changes !== undefined) {
    const f = c.changes as Record<string, unknown>
    if (!f || typeof f !== 'object') fail('changes', 'must be an object: { table, http, realtime }')
    if (typeof f.table !== 'string' || !TABLE.test(f.table)) fail('changes.table', `is malformed: ${JSON.stringify(f.table)} (e.g. whimsy-space-changes)`)
    const http = url('changes.http', f.http) ?? fail('changes.http', 'is missing (the AppSync Events HTTP endpoint)')
    if (typeof f.realtime !== 'string' || !/^wss?:\/\/[^/\s]+(\/\S*)?$/.test(f.realtime))
      fail('changes.realtime', `must be a ws(s) URL, not ${JSON.stringify(f.realtime)}`)
    config.changes = { table: f.table, http, realtime: f.realtime }
  }
  return config
}

function fail(field: string, problem: string): never {
  throw new WhimsyError('InvalidConfig', field ? `Whimsy config: \`${field}\` ${problem}.` : `Whimsy config: ${problem}.`)
}
