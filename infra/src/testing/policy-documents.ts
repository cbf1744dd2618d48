/** Every IAM policy document of a template — identity policies, inline role policies, resource policies — as statements. */
import type { CfnTemplate } from './synth.js'

export interface FoundStatement {
  resource: string
  type: string
  statement: { Effect: string; Action?: unknown; Resource?: unknown; Condition?: Record<string, Record<string, unknown>>; Principal?: unknown }
}

export function statementsOf(template: CfnTemplate): FoundStatement[] {
  const found: FoundStatement[] = []
  const add = (resource: string, type: string, doc: unknown) => {
    const statements = (doc as { Statement?: FoundStatement['statement'][] } | undefined)?.Statement ?? []
    for (const statement of statements) found.push({ resource, type, statement })
  }
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {}
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::S3::BucketPolicy') add(id, r.Type, p.PolicyDocument)
    if (r.Type === 'AWS::IAM::Role') for (const inline of (p.Policies ?? []) as { PolicyDocument: unknown }[]) add(id, r.Type, inline.PolicyDocument)
    if (r.Type === 'AWS::Lambda::Permission' || r.Type === 'AWS::SQS::QueuePolicy') continue
  }
  return found
}

export const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** Read-only verbs; anything else (including wildcards such as `s3:*`) counts as a write. */
export function isWrite(action: string): boolean {
  const verb = action.split(':')[1] ?? action
  return !/^(Get|List|Describe|Head|BatchGet|Query)[A-Za-z]*$/.test(verb)
}
