/** Builds both stacks of one stage into a CDK app; `app.ts` (the CLI's entry) and the tests call it. */
import type { App } from 'aws-cdk-lib'
import { DataStack } from './data-stack.js'
import { EdgeStack } from './edge-stack.js'
import { type CheckedStageConfig, EDGE_REGION, stagePrefix } from './stage-config.js'

export interface StageStacks {
  edge: EdgeStack
  data: DataStack
}

export function addStage(app: App, config: CheckedStageConfig): StageStacks {
  const prefix = stagePrefix(config)
  const edge = new EdgeStack(app, `${prefix}-edge`, {
    config,
    env: { account: config.account, region: EDGE_REGION },
    crossRegionReferences: true,
    description: `Whimsy Space ${config.stage}: user sites distribution, Lambda@Edge, certificates (us-east-1)`,
  })
  const data = new DataStack(app, `${prefix}-data`, {
    config,
    env: { account: config.account, region: config.dataRegion },
    crossRegionReferences: true,
    sitesDistributionId: edge.sitesDistribution.distributionId,
    appCertificateArn: edge.appCertificate.certificateArn,
    edgeRoleArn: edge.edgeRole.roleArn,
    description: `Whimsy Space ${config.stage}: files, Cognito, key-value data, handles, the app`,
  })
  data.addStackDependency(edge, 'the bucket policy names the sites distribution; the app uses its certificate')
  return { edge, data }
}
