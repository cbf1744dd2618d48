/**
 * The CDK app: `npx cdk synth -c stage=dev` (or `npm run synth -w @whimsy/infra`). The stage's
 * settings come from `stages.json` beside `package.json` (or `-c stagesFile=…`).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { APP_CONTEXT } from './app-context.js'
import { infraPath } from './lambda-bundle.js'
import { checkStageConfig, StageConfigError } from './stage-config.js'
import { addStage } from './stages.js'

const app = new App({ context: { ...APP_CONTEXT } })
const stage = String(app.node.tryGetContext('stage') ?? 'dev')
const file = resolve(infraPath(), String(app.node.tryGetContext('stagesFile') ?? 'stages.json'))
const stages = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
if (!(stage in stages)) throw new StageConfigError('stage', `${JSON.stringify(stage)} is not in ${file}`)
const config = checkStageConfig(stages[stage])
// Relative to this package, wherever the CLI runs from.
if (config.appAssetsDir) config.appAssetsDir = resolve(infraPath(), config.appAssetsDir)
addStage(app, config)
// The same pack the tests run: a finding nobody acknowledged fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
app.synth()
