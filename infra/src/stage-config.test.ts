import { describe, expect, it } from 'vitest'
import { PASSWORD_POLICY as LOCAL_PASSWORD_POLICY } from '../../packages/local-cloud/src/bootstrap.js'
import { PASSWORD_POLICY } from './password-policy.js'
import { checkStageConfig, StageConfigError, stagePrefix } from './stage-config.js'

const good = {
  stage: 'prod',
  dataRegion: 'eu-west-1',
  sitesDomain: 'whimsy.space',
  sitesZone: { id: 'Z0SITES', name: 'whimsy.space' },
  appDomain: 'app.whimsy.example',
  appZone: { id: 'Z0APP', name: 'whimsy.example' },
}

describe('stage configuration', () => {
  it('fills the defaults and names every physical resource from the stage', () => {
    expect(checkStageConfig(good)).toMatchObject({ handlesDomain: 'handles.app.whimsy.example', priceClass: 'PriceClass_100' })
    expect(stagePrefix(good)).toBe('whimsy-prod')
    expect(checkStageConfig(good).appOrigins).toEqual([])
    expect(checkStageConfig({ ...good, appOrigins: ['https://examples.whimsy.example', 'https://apps.example:8443'] }).appOrigins).toEqual([
      'https://examples.whimsy.example',
      'https://apps.example:8443',
    ])
  })

  it.each([
    ['stage', { stage: 'Prod!' }],
    ['dataRegion', { dataRegion: 'europe' }],
    ['account', { account: '12' }],
    ['sitesDomain', { sitesDomain: 'Whimsy.Space' }],
    ['sitesZone.id', { sitesZone: { id: 'nope', name: 'whimsy.space' } }],
    ['sitesZone.name', { sitesZone: { id: 'Z0SITES', name: 'other.space' } }],
    // The app on a user-site host would share a site with every user's hostile pages.
    ['appDomain', { appDomain: 'app.whimsy.space', appZone: { id: 'Z0SITES', name: 'whimsy.space' } }],
    ['handlesDomain', { handlesDomain: 'handles.elsewhere.example' }],
    // Browsers send `https://host[:port]` exactly; anything else would match no request and allow nothing.
    ['appOrigins', { appOrigins: 'https://examples.whimsy.example' }],
    ['appOrigins', { appOrigins: ['https://examples.whimsy.example/'] }],
    ['appOrigins', { appOrigins: ['http://examples.whimsy.example'] }],
    ['appOrigins', { appOrigins: ['*'] }],
  ])('refuses a bad %s with an error naming it', (field, change) => {
    expect(() => checkStageConfig({ ...good, ...change })).toThrow(StageConfigError)
    try {
      checkStageConfig({ ...good, ...change })
    } catch (e) {
      expect((e as StageConfigError).field).toBe(field)
    }
  })

  it('the production password policy is the one the local cloud enforces (one definition, until local-cloud imports it from here)', () => {
    expect(PASSWORD_POLICY).toEqual(LOCAL_PASSWORD_POLICY)
  })
})
