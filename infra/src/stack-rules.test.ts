/**
 * Rules that hold across every policy of both synthesized stacks, and cdk-nag's AwsSolutions
 * pack over the same constructs. One synthesis for the file.
 */
import { AwsSolutionsChecks } from 'cdk-nag'
import { beforeAll, describe, expect, it } from 'vitest'
import { isWrite, list, statementsOf } from './testing/policy-documents.js'
import { resourcesOf, type Synthesized, synthesize } from './testing/synth.js'

let s: Synthesized
beforeAll(() => {
  s = synthesize()
})

describe('rules across every policy of both stacks', () => {
  const all = () => [...statementsOf(s.edgeJson), ...statementsOf(s.dataJson)]

  it('no s3:ListBucket without the prefix condition (but CDK’s deployment handler, on the app and asset buckets)', () => {
    const lists = all().filter((f) => f.statement.Effect === 'Allow' && list(f.statement.Action).some((a) => /^s3:(ListBucket|\*|List\*)$/.test(String(a))))
    const [filesId] = resourcesOf(s.dataJson, 'AWS::S3::Bucket').find(([, b]) => JSON.stringify(b.Properties?.BucketName).includes('-files-'))!
    const [appId] = resourcesOf(s.dataJson, 'AWS::S3::Bucket').find(([id]) => id.startsWith('AppAssets'))!
    for (const f of lists) {
      if (JSON.stringify(f.statement.Condition ?? {}).includes('s3:prefix')) continue
      // BucketDeployment syncs the Briefcase with `aws s3 sync`, which lists; never the files bucket.
      expect(f.resource, JSON.stringify(f.statement)).toMatch(/^CustomCDKBucketDeployment\w+ServiceRoleDefaultPolicy/)
      const resources = JSON.stringify(f.statement.Resource)
      expect(resources).not.toContain(filesId)
      expect(resources.includes(appId) || resources.includes('cdk-hnb659fds-assets-')).toBe(true)
    }
    expect(lists.some((f) => JSON.stringify(f.statement.Condition ?? {}).includes('s3:prefix'))).toBe(true)
  })

  it('no dynamodb:Scan, and no dynamodb wildcard', () => {
    for (const f of all()) for (const a of list(f.statement.Action)) expect(String(a), f.resource).not.toMatch(/^dynamodb:(Scan|\*|Sc)/i)
  })

  it('no write on a * resource', () => {
    for (const f of all().filter((x) => x.statement.Effect === 'Allow'))
      if (list(f.statement.Resource).includes('*')) for (const a of list(f.statement.Action)) expect(isWrite(String(a)), `${f.resource}: ${a} on *`).toBe(false)
  })

  it('data is retained: files bucket, tables, user pool', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::Cognito::UserPool'])
      for (const [id, r] of resourcesOf(s.dataJson, type)) expect(r.DeletionPolicy, id).toBe('Retain')
  })
})

describe('cdk-nag AwsSolutions', () => {
  it('no finding left unacknowledged (each acknowledgement carries its reason in the code)', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.app)
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath}`))
    expect(findings).toEqual([])
  })
})
