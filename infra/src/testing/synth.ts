/**
 * Synthesizes both stacks of a test stage once per test file, offline, and reads the templates
 * back as JSON. The built-in CloudFormation validation is off here (it costs seconds; `npm run
 * synth` runs it).
 */
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { APP_CONTEXT } from '../app-context.js'
import { type CheckedStageConfig, checkStageConfig } from '../stage-config.js'
import { addStage, type StageStacks } from '../stages.js'

export const TEST_STAGE = checkStageConfig({
  stage: 'test',
  dataRegion: 'eu-west-1',
  sitesDomain: 'sites.test',
  sitesZone: { id: 'Z0SITESZONE', name: 'sites.test' },
  appDomain: 'app.whimsy.test',
  appZone: { id: 'Z0APPZONE', name: 'whimsy.test' },
  appOrigins: ['https://examples.whimsy.test'],
})

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>
  Outputs?: Record<string, { Value: unknown }>
}

export interface Synthesized {
  app: App
  config: CheckedStageConfig
  stacks: StageStacks
  edge: Template
  data: Template
  edgeJson: CfnTemplate
  dataJson: CfnTemplate
  millis: number
}

export function synthesize(config: CheckedStageConfig = TEST_STAGE): Synthesized {
  const started = performance.now()
  const app = new App({ context: { ...APP_CONTEXT }, builtinCloudFormationValidation: false })
  const stacks = addStage(app, config)
  const edge = Template.fromStack(stacks.edge)
  const data = Template.fromStack(stacks.data)
  return {
    app,
    config,
    stacks,
    edge,
    data,
    edgeJson: edge.toJSON() as CfnTemplate,
    dataJson: data.toJSON() as CfnTemplate,
    millis: performance.now() - started,
  }
}

/** Resources of one type, by logical id. */
export function resourcesOf(template: CfnTemplate, type: string): [string, NonNullable<CfnTemplate['Resources'][string]>][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type)
}
