/**
 * The user pool's password rules: one definition for the production user pool (CDK), the SDK's
 * checks before input reaches the network (`WhimsyConfig.passwordPolicy`) and the local cloud.
 */
import type { PasswordPolicy } from '@whimsy/sdk/config'

export const PASSWORD_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: false,
  requireNumbers: true,
  requireSymbols: false,
}
