import { describe, expect, it } from 'vitest'
import { userPoolLogins, userPoolProvider } from './identity-provider.js'

describe('the identity pool provider name', () => {
  it("is Cognito's name for the user pool, in its region", () => {
    expect(userPoolProvider('eu-west-1', 'eu-west-1_AbC')).toBe('cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC')
    expect(userPoolLogins('us-east-1', 'us-east-1_x', 'tok')).toEqual({ 'cognito-idp.us-east-1.amazonaws.com/us-east-1_x': 'tok' })
  })
})
