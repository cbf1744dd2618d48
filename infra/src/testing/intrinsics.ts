/**
 * Resolves the CloudFormation intrinsics of a synthesized template to the names a deployment
 * would give them, so the documents can be evaluated as IAM would see them. Only what our
 * templates use; anything else throws, so a new construct cannot slip past unresolved.
 */
import type { CfnTemplate } from './synth.js'

export interface Deployment {
  account: string
  region: string
  /** Values for `Ref` of resources that are not named by their own properties. */
  refs?: Record<string, string>
  /** Values for `Fn::GetAtt` of `<logicalId>.<attribute>` beyond the ARNs derived here. */
  attributes?: Record<string, string>
  /** Values another region's stack exports (CDK cross-region references), by parameter name. */
  crossRegion?: Record<string, string>
}

export function resolver(template: CfnTemplate, deployment: Deployment) {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': deployment.account,
    'AWS::Region': deployment.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  }

  function ref(id: string): string {
    const p = pseudo[id]
    if (p !== undefined) return p
    const given = deployment.refs?.[id]
    if (given !== undefined) return given
    const r = template.Resources[id]
    if (!r) throw new Error(`Ref to unknown ${id}`)
    const named: Record<string, string> = { 'AWS::S3::Bucket': 'BucketName', 'AWS::DynamoDB::Table': 'TableName', 'AWS::IAM::Role': 'RoleName' }
    const prop = named[r.Type]
    if (prop && r.Properties?.[prop] !== undefined) return String(resolve(r.Properties[prop]))
    // A queue's Ref is its URL.
    if (r.Type === 'AWS::SQS::Queue' && r.Properties?.QueueName !== undefined)
      return `https://sqs.${deployment.region}.amazonaws.com/${deployment.account}/${String(resolve(r.Properties.QueueName))}`
    throw new Error(`No name for Ref ${id} (${r.Type}): give it in deployment.refs`)
  }

  function getAtt(id: string, attribute: string): string {
    const given = deployment.attributes?.[`${id}.${attribute}`]
    if (given !== undefined) return given
    const r = template.Resources[id]
    if (!r) throw new Error(`GetAtt of unknown ${id}`)
    if (r.Type === 'Custom::CrossRegionExportReader') {
      const exported = deployment.crossRegion?.[attribute]
      if (exported === undefined) throw new Error(`No cross-region value ${attribute}`)
      return exported
    }
    // AppSync APIs: an id of their logical id, and the addresses AWS derives from it.
    if (r.Type === 'AWS::AppSync::Api') {
      const apiId = id.toLowerCase().slice(0, 26)
      const values: Record<string, string> = {
        ApiId: apiId,
        ApiArn: `arn:aws:appsync:${deployment.region}:${deployment.account}:apis/${apiId}`,
        'Dns.Http': `${apiId}.appsync-api.${deployment.region}.amazonaws.com`,
        'Dns.Realtime': `${apiId}.appsync-realtime-api.${deployment.region}.amazonaws.com`,
      }
      if (values[attribute]) return values[attribute]
    }
    if (attribute === 'Arn') {
      if (r.Type === 'AWS::S3::Bucket') return `arn:aws:s3:::${ref(id)}`
      if (r.Type === 'AWS::DynamoDB::Table') return `arn:aws:dynamodb:${deployment.region}:${deployment.account}:table/${ref(id)}`
      if (r.Type === 'AWS::SQS::Queue' && r.Properties?.QueueName !== undefined)
        return `arn:aws:sqs:${deployment.region}:${deployment.account}:${String(resolve(r.Properties.QueueName))}`
    }
    if (r.Type === 'AWS::SQS::Queue' && attribute === 'QueueName' && r.Properties?.QueueName !== undefined) return String(resolve(r.Properties.QueueName))
    throw new Error(`No value for GetAtt ${id}.${attribute}: give it in deployment.attributes`)
  }

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve)
    if (value === null || typeof value !== 'object') return value
    const entries = Object.entries(value)
    if (entries.length === 1) {
      const [[key, arg]] = entries as [[string, unknown]]
      if (key === 'Ref') return ref(String(arg))
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.')
        return getAtt(String(id), String(attribute))
      }
      if (key === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]]
        return (resolve(parts) as unknown[]).map(String).join(sep)
      }
      if (key.startsWith('Fn::')) throw new Error(`Unsupported intrinsic ${key}`)
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]))
  }

  return resolve
}
