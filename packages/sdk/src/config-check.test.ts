import { describe, expect, it } from 'vitest'
import { checkConfig } from './config-check.js'
import { WhimsyError } from './errors.js'

const valid = {
  region: 'us-east-1',
  userPoolId: 'us-east-1_AbCdEf123',
  userPoolClientId: '5abc1defg2hijk3lmno4pqrst',
  identityPoolId: 'us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  bucket: 'whimsy-space-files',
  table: 'whimsy-space-data',
  sitesDomain: 'whimsy.space',
  handlesApi: 'https://handles.whimsy.space/',
}

function errorOf(input: unknown): WhimsyError {
  try {
    checkConfig(input)
  } catch (e) {
    if (e instanceof WhimsyError) return e
    throw e
  }
  throw new Error('no error')
}

describe('checkConfig', () => {
  it('accepts a production config and trims trailing slashes from URLs', () => {
    expect(checkConfig(valid).handlesApi).toBe('https://handles.whimsy.space')
  })

  it('accepts the local cloud shape', () => {
    const local = {
      ...valid,
      sitesDomain: 'localhost:4302',
      sitesProtocol: 'http',
      authFlow: 'USER_PASSWORD_AUTH',
      s3ForcePathStyle: true,
      endpoints: { s3: 'http://127.0.0.1:4301' },
    }
    expect(checkConfig(local).endpoints).toEqual({ s3: 'http://127.0.0.1:4301' })
  })

  it.each([
    [undefined, /must be an object/],
    [{ ...valid, region: undefined }, /`region` is missing/],
    [{ ...valid, region: 'US East' }, /`region` is malformed/],
    [{ ...valid, userPoolId: 'nounderscore' }, /`userPoolId` is malformed/],
    [{ ...valid, identityPoolId: '' }, /`identityPoolId` is missing/],
    [{ ...valid, bucket: 'Upper_Case' }, /`bucket` is malformed/],
    [{ ...valid, handlesApi: 'ftp://x' }, /`handlesApi` must be an http\(s\) URL/],
    [{ ...valid, handlesApi: undefined }, /`handlesApi` is missing/],
    [{ ...valid, authFlow: 'CUSTOM' }, /`authFlow` must be/],
    [{ ...valid, endpoints: { s3x: 'http://a' } }, /`endpoints.s3x` is not a known endpoint/],
    [{ ...valid, passwordPolicy: { minimumLength: 3 } }, /`passwordPolicy.minimumLength`/],
  ])('names the field: %#', (input, message) => {
    const e = errorOf(input)
    expect(e.code).toBe('InvalidConfig')
    expect(e.message).toMatch(message)
  })
})
