/**
 * The SDK's configuration object (`WhimsyConfig`) for a deployed stage: one stack output holding
 * it as JSON, and the same object as the app's `config.json`. Switching from the local cloud
 * to production is swapping this object.
 */

import type { WhimsyConfig } from '@whimsy/sdk/config'
import { CfnOutput, Stack } from 'aws-cdk-lib'
import type { Construct } from 'constructs'
import { PASSWORD_POLICY } from './password-policy.js'

/** The output's key in the data stack; `write-config.ts` reads it. */
export const CONFIG_OUTPUT = 'WhimsyConfig'

export type ProductionConfig = Required<Omit<WhimsyConfig, 'endpoints' | 's3ForcePathStyle' | 'changes'>> & Pick<WhimsyConfig, 'changes'>

/**
 * The change feed's part of the configuration (issue 15), as an output of its own: the
 * `WhimsyConfig` output is held to its exact pre-feed shape by the stack tests, so the feed's
 * endpoints travel beside it; `write-config.ts` and the app's `config.json` merge the two.
 */
export const CHANGE_FEED_OUTPUT = 'WhimsyChangeFeed'

export function changeFeedOutput(scope: Construct, changes: NonNullable<WhimsyConfig['changes']>): CfnOutput {
  return new CfnOutput(scope, CHANGE_FEED_OUTPUT, {
    description: 'The change feed part of the SDK configuration (WhimsyConfig.changes), as JSON',
    value: Stack.of(scope).toJsonString(changes),
  })
}

export function productionConfig(values: Omit<ProductionConfig, 'sitesProtocol' | 'authFlow' | 'passwordPolicy'>): ProductionConfig {
  return { ...values, sitesProtocol: 'https', authFlow: 'USER_SRP_AUTH', passwordPolicy: PASSWORD_POLICY }
}

export function configOutput(scope: Construct, config: ProductionConfig): CfnOutput {
  return new CfnOutput(scope, CONFIG_OUTPUT, {
    description: 'The SDK configuration object (WhimsyConfig) of this stage, as JSON',
    value: Stack.of(scope).toJsonString(config),
  })
}
