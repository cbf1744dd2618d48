import { describe, expect, it } from 'vitest'
import { configFromOutputs } from './write-config.js'

const config = {
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf123',
  userPoolClientId: '5abc1defg2hijk3lmno4pqrst',
  identityPoolId: 'eu-west-1:0f1e2d3c-0000-4000-8000-000000000000',
  bucket: 'whimsy-prod-files-111111111111-eu-west-1',
  table: 'whimsy-prod-kv',
  sitesDomain: 'whimsy.space',
  sitesProtocol: 'https',
  handlesApi: 'https://handles.app.whimsy.example',
  authFlow: 'USER_SRP_AUTH',
}

describe('the outputs script', () => {
  it("reads the stage's data-stack output, checked by the SDK", () => {
    const outputs = { 'whimsy-prod-edge': {}, 'whimsy-prod-data': { WhimsyConfig: JSON.stringify(config) } }
    expect(configFromOutputs(outputs, 'prod')).toMatchObject(config)
  })

  it('names what is missing', () => {
    expect(() => configFromOutputs({}, 'prod')).toThrow(/No WhimsyConfig output of whimsy-prod-data/)
    expect(() => configFromOutputs({ 'whimsy-prod-data': { WhimsyConfig: JSON.stringify({ ...config, bucket: '' }) } }, 'prod')).toThrow(/bucket/)
  })
})
