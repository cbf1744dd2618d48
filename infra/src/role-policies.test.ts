/**
 * The authenticated role's policies AS SYNTHESIZED — read back from the template, intrinsics
 * resolved to this test's names — evaluated by the local cloud's IAM evaluator, against the
 * answers the policy module's own documents give. Template assertions alone missed a typo in
 * `${cognito-identity.amazonaws.com:sub}` in another project; evaluating the deployed documents
 * with the variable bound catches it.
 */

import { beforeAll, describe, expect, it } from 'vitest'
import { type AuthorizationRequest, type Caller, type Decision, evaluate } from '../../packages/local-cloud/src/iam/evaluate.js'
import { authenticatedRolePolicy, authenticatedRoleTrustPolicy, type PolicyDocument, type PolicyStatement } from './policies.js'
import { resolver } from './testing/intrinsics.js'
import { resourcesOf, type Synthesized, synthesize } from './testing/synth.js'

const ACCOUNT = '111111111111'
const REGION = 'eu-west-1'
const IDENTITY_POOL_ID = `${REGION}:00000000-0000-4000-8000-000000000000`
const DISTRIBUTION_ID = 'E2SITESDISTRIBUTION'
const SITES_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/${DISTRIBUTION_ID}`
const EDGE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/whimsy-test-sites-origin`
const ME = `${REGION}:11111111-1111-4111-8111-111111111111`
const OTHER = `${REGION}:22222222-2222-4222-8222-222222222222`

let s: Synthesized
let bucket: string
let tableArn: string
let registryArn: string
let identityDocs: PolicyDocument[]
let trust: PolicyDocument
let bucketPolicy: PolicyDocument

beforeAll(() => {
  s = synthesize()
  // What the edge stack hands the data stack across regions, resolved as the edge deployment would.
  const edge = s.stacks.edge
  const idOf = (c: { node: { defaultChild?: unknown } }) => edge.getLogicalId(c.node.defaultChild as never)
  const edgeResolve = resolver(s.edgeJson, {
    account: ACCOUNT,
    region: 'us-east-1',
    refs: { [idOf(edge.sitesDistribution)]: DISTRIBUTION_ID, [idOf(edge.appCertificate as never)]: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/test` },
    attributes: { [`${idOf(edge.edgeRole as never)}.Arn`]: EDGE_ROLE_ARN },
  })
  const crossRegion: Record<string, string> = {}
  for (const [, writer] of resourcesOf(s.edgeJson, 'Custom::CrossRegionExportWriter')) {
    const exports = (writer.Properties?.WriterProps as { exports: Record<string, unknown> }).exports
    for (const [name, value] of Object.entries(exports)) crossRegion[name] = String(edgeResolve(value))
  }
  const identityPoolId = Object.fromEntries(resourcesOf(s.dataJson, 'AWS::Cognito::IdentityPool').map(([id]) => [id, IDENTITY_POOL_ID]))
  const resolve = resolver(s.dataJson, { account: ACCOUNT, region: REGION, refs: identityPoolId, crossRegion })

  const roles = resourcesOf(s.dataJson, 'AWS::IAM::Role').filter(([, r]) =>
    JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('cognito-identity.amazonaws.com'),
  )
  expect(roles).toHaveLength(1)
  const [roleId, role] = roles[0]!
  expect(role.Properties?.ManagedPolicyArns).toBeUndefined()
  trust = resolve(role.Properties?.AssumeRolePolicyDocument) as PolicyDocument
  const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument)
  const attached = resourcesOf(s.dataJson, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles ?? []).includes(JSON.stringify({ Ref: roleId })))
    .map(([, p]) => p.Properties?.PolicyDocument)
  identityDocs = [...inline, ...attached].map((d) => resolve(d) as PolicyDocument)
  expect(identityDocs.length).toBeGreaterThan(0)

  const [bucketId] = resourcesOf(s.dataJson, 'AWS::S3::Bucket').find(([, b]) => String(JSON.stringify(b.Properties?.BucketName)).includes('-files-'))!
  bucket = resolve({ Ref: bucketId }) as string
  const [kvId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => JSON.stringify(t.Properties?.TableName).includes('-kv'))!
  const [registryId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => JSON.stringify(t.Properties?.TableName).includes('-handles'))!
  tableArn = resolve({ 'Fn::GetAtt': [kvId, 'Arn'] }) as string
  registryArn = resolve({ 'Fn::GetAtt': [registryId, 'Arn'] }) as string
  const policies = resourcesOf(s.dataJson, 'AWS::S3::BucketPolicy').filter(
    ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }),
  )
  expect(policies).toHaveLength(1)
  bucketPolicy = resolve(policies[0]![1].Properties?.PolicyDocument) as PolicyDocument
})

const caller = (sub: string): Caller => ({
  variables: { 'cognito-identity.amazonaws.com:sub': sub },
  principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/auth/${sub}`,
})
const anonymous: Caller = { variables: {} }
const TLS = { 'aws:SecureTransport': 'true' }

type Row = [name: string, request: () => AuthorizationRequest, mine?: 'Allow' | 'Deny']
const obj =
  (action: string, key: string): (() => AuthorizationRequest) =>
  () => ({ action, resource: `arn:aws:s3:::${bucket}/${key}`, context: TLS })
const list =
  (action: string, prefix: string | undefined): (() => AuthorizationRequest) =>
  () => ({
    action,
    resource: `arn:aws:s3:::${bucket}`,
    context: prefix === undefined ? TLS : { ...TLS, 's3:prefix': prefix },
  })
const item =
  (action: string, keys: string[] | undefined, table: () => string = () => tableArn): (() => AuthorizationRequest) =>
  () => ({
    action,
    resource: table(),
    context: keys ? { 'dynamodb:LeadingKeys': keys } : {},
  })

// `mine` pins what the owner must get regardless of the module; where it is blank, the module's
// documents decide (s3:GetObjectVersion, s3:ListBucketVersions… change with the module).
const rows: Row[] = [
  ['GetObject', obj('s3:GetObject', `${ME}/notes/a.txt`), 'Allow'],
  ['GetObject of a public file', obj('s3:GetObject', `${ME}/public/index.html`), 'Allow'],
  ['PutObject', obj('s3:PutObject', `${ME}/notes/a.txt`), 'Allow'],
  ['DeleteObject', obj('s3:DeleteObject', `${ME}/notes/a.txt`), 'Allow'],
  ['PutObject on a longer id that starts with mine', obj('s3:PutObject', `${ME}0/a.txt`), 'Deny'],
  ['ListBucket with the prefix <id>/', list('s3:ListBucket', `${ME}/`), 'Allow'],
  ['ListBucket with a folder prefix', list('s3:ListBucket', `${ME}/notes/`), 'Allow'],
  ['ListBucket with no prefix', list('s3:ListBucket', undefined), 'Deny'],
  ['ListBucket with prefix ""', list('s3:ListBucket', ''), 'Deny'],
  ['ListBucket with the id but no slash', list('s3:ListBucket', ME), 'Deny'],
  ['GetObjectVersion', obj('s3:GetObjectVersion', `${ME}/notes/a.txt`)],
  ['ListBucketVersions with the prefix', list('s3:ListBucketVersions', `${ME}/`)],
  ['GetObjectTagging', obj('s3:GetObjectTagging', `${ME}/notes/a.txt`)],
  ['PutObjectAcl', obj('s3:PutObjectAcl', `${ME}/notes/a.txt`)],
  ['DeleteObjectVersion (history cannot be destroyed)', obj('s3:DeleteObjectVersion', `${ME}/notes/a.txt`), 'Deny'],
  ['PutBucketPolicy', () => ({ action: 's3:PutBucketPolicy', resource: `arn:aws:s3:::${bucket}`, context: TLS }), 'Deny'],
  ['DynamoDB GetItem', item('dynamodb:GetItem', [ME]), 'Allow'],
  ['DynamoDB PutItem', item('dynamodb:PutItem', [ME]), 'Allow'],
  ['DynamoDB Query', item('dynamodb:Query', [ME]), 'Allow'],
  ['DynamoDB BatchGetItem across partitions', item('dynamodb:BatchGetItem', [ME, OTHER]), 'Deny'],
  ['DynamoDB Scan', item('dynamodb:Scan', undefined), 'Deny'],
  ['DynamoDB PartiQLSelect', item('dynamodb:PartiQLSelect', undefined), 'Deny'],
  ['registry GetItem', item('dynamodb:GetItem', [ME], () => registryArn), 'Deny'],
  ['registry PutItem', item('dynamodb:PutItem', [ME], () => registryArn), 'Deny'],
]

const allowed = (d: Decision) => (d === 'Allow' ? 'Allow' : 'Deny')
const asDeployed = (request: AuthorizationRequest, who: Caller, docs: PolicyDocument[]) =>
  allowed(evaluate(request, who, docs, request.action.startsWith('s3:') ? [bucketPolicy] : []))
const byModule = (request: AuthorizationRequest, who: Caller) => allowed(evaluate(request, who, [authenticatedRolePolicy({ bucketName: bucket, tableArn })]))

describe('the authenticated role as synthesized, evaluated like IAM', () => {
  it.each(rows)('own data: %s — same answer as the policy module', (_, request, mine) => {
    const r = request()
    const deployed = asDeployed(r, caller(ME), identityDocs)
    expect(deployed).toBe(byModule(r, caller(ME)))
    if (mine) expect(deployed).toBe(mine)
  })

  it.each(rows)('another user on my data: %s — denied, as by the module', (_, request) => {
    const r = request()
    expect(asDeployed(r, caller(OTHER), identityDocs)).toBe('Deny')
    expect(byModule(r, caller(OTHER))).toBe('Deny')
  })

  it.each(rows)('anonymous: %s — denied, public files included (they are served by the sites distribution only)', (_, request) => {
    expect(asDeployed(request(), anonymous, [])).toBe('Deny')
  })

  it('the module is attached as it is: the same statements, resolved', () => {
    expect(identityDocs).toEqual([authenticatedRolePolicy({ bucketName: bucket, tableArn })])
  })

  it('plain HTTP is refused even for the owner (aws:SecureTransport)', () => {
    const r = { ...obj('s3:GetObject', `${ME}/a.txt`)(), context: { 'aws:SecureTransport': 'false' } }
    expect(evaluate(r, caller(ME), identityDocs, [bucketPolicy])).toBe('ExplicitDeny')
  })

  it('the trust policy is the module’s: this pool only (aud), signed-in identities only (amr)', () => {
    expect(trust).toEqual(authenticatedRoleTrustPolicy({ identityPoolId: IDENTITY_POOL_ID }))
  })
})

describe('the bucket policy: public folders reach the sites distribution only', () => {
  const distribution = (request: AuthorizationRequest, sourceArn: string) => {
    const forCloudFront = bucketPolicy.Statement.filter(
      (st: PolicyStatement) => typeof st.Principal === 'object' && st.Principal.Service === 'cloudfront.amazonaws.com',
    ).map(({ Principal: _, ...st }) => st)
    const others = bucketPolicy.Statement.filter((st) => !forCloudFront.some((c) => c.Sid === st.Sid))
    const req = { ...request, context: { ...request.context, 'AWS:SourceArn': sourceArn } }
    return allowed(evaluate(req, { variables: {} }, [{ Version: '2012-10-17', Statement: forCloudFront }], [{ Version: '2012-10-17', Statement: others }]))
  }

  it.each([
    ['a public file', `${ME}/public/index.html`, 'Allow'],
    ['a nested public file', `${ME}/public/blog/2026/post.html`, 'Allow'],
    ['a private file', `${ME}/notes/a.txt`, 'Deny'],
    ['a private sub-folder named public', `${ME}/notes/public/diary.txt`, 'Deny'],
    ['a key not under an identity id', 'x/public/index.html', 'Deny'],
  ])('the sites distribution reading %s: %s', (_, key, expected) => {
    expect(distribution(obj('s3:GetObject', key)(), SITES_ARN)).toBe(expected)
  })

  it.each([
    ['a public file', 's3:GetObject', `${ME}/public/404.html`, 'Allow'],
    ['a private file', 's3:GetObject', `${ME}/notes/a.txt`, 'Deny'],
    ['a private sub-folder named public', 's3:GetObject', `${ME}/notes/public/404.html`, 'Deny'],
    ['a public file, writing', 's3:PutObject', `${ME}/public/404.html`, 'Deny'],
  ])("the edge function's role (its own 404.html and dir/index.html reads) on %s: %s %s", (_, action, key, expected) => {
    const edgeRole: Caller = { variables: {}, principalArn: EDGE_ROLE_ARN }
    expect(allowed(evaluate(obj(action, key)(), edgeRole, [], [bucketPolicy]))).toBe(expected)
  })

  it('another distribution of the account cannot read public folders', () => {
    expect(distribution(obj('s3:GetObject', `${ME}/public/index.html`)(), `arn:aws:cloudfront::${ACCOUNT}:distribution/EOTHER`)).toBe('Deny')
  })

  it('the distribution cannot write', () => {
    expect(distribution(obj('s3:PutObject', `${ME}/public/index.html`)(), SITES_ARN)).toBe('Deny')
  })
})
