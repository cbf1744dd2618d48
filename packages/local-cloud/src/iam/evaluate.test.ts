/** AWS's documented evaluation logic, case by case, against the evaluator and our real policies. */
import { authenticatedRolePolicy, type PolicyDocument, publicReadBucketPolicy } from '@whimsy/infra/policies'
import { describe, expect, it } from 'vitest'
import { type AuthorizationRequest, type Caller, evaluate } from './evaluate.js'

const ME = 'us-east-1:11111111-1111-4111-8111-111111111111'
const tableArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/t'
const role = authenticatedRolePolicy({ bucketName: 'b', tableArn })
const bucketPolicy = publicReadBucketPolicy({ bucketName: 'b', region: 'us-east-1' })
const me: Caller = { variables: { 'cognito-identity.amazonaws.com:sub': ME }, principalArn: 'arn:aws:sts::0:assumed-role/r/s' }
const anonymous: Caller = { variables: {} }

const cases: [string, Caller, AuthorizationRequest, 'Allow' | 'ImplicitDeny'][] = [
  ['own object', me, { action: 's3:GetObject', resource: `arn:aws:s3:::b/${ME}/a.txt` }, 'Allow'],
  ['action names are case-insensitive', me, { action: 'S3:getobject', resource: `arn:aws:s3:::b/${ME}/a.txt` }, 'Allow'],
  ['other object', me, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/us-east-1:2222/a.txt' }, 'ImplicitDeny'],
  ['own id as a prefix of a longer id', me, { action: 's3:PutObject', resource: `arn:aws:s3:::b/${ME}0/a.txt` }, 'ImplicitDeny'],
  ['unlisted action', me, { action: 's3:PutObjectTagging', resource: `arn:aws:s3:::b/${ME}/a.txt` }, 'ImplicitDeny'],
  ['history is never deletable', me, { action: 's3:DeleteObjectVersion', resource: `arn:aws:s3:::b/${ME}/a.txt` }, 'ImplicitDeny'],
  ['own versions are readable', me, { action: 's3:GetObjectVersion', resource: `arn:aws:s3:::b/${ME}/a.txt` }, 'Allow'],
  ['the one canned ACL that sets nothing', me, { action: 's3:PutObjectAcl', resource: `arn:aws:s3:::b/${ME}/a.txt` }, 'Allow'],
  ['list own versions', me, { action: 's3:ListBucketVersions', resource: 'arn:aws:s3:::b', context: { 's3:prefix': `${ME}/` } }, 'Allow'],
  ['list versions without prefix', me, { action: 's3:ListBucketVersions', resource: 'arn:aws:s3:::b', context: {} }, 'ImplicitDeny'],
  [
    'list versions of another id',
    me,
    { action: 's3:ListBucketVersions', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'us-east-1:2222/' } },
    'ImplicitDeny',
  ],
  ['list own prefix', me, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': `${ME}/docs/` } }, 'Allow'],
  ['list without prefix', me, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: {} }, 'ImplicitDeny'],
  ['list with empty prefix', me, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': '' } }, 'ImplicitDeny'],
  ['list own id without slash', me, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': ME } }, 'ImplicitDeny'],
  ['own leading key', me, { action: 'dynamodb:GetItem', resource: tableArn, context: { 'dynamodb:LeadingKeys': [ME] } }, 'Allow'],
  ['mixed leading keys', me, { action: 'dynamodb:BatchGetItem', resource: tableArn, context: { 'dynamodb:LeadingKeys': [ME, 'x'] } }, 'ImplicitDeny'],
  ['Scan is not granted', me, { action: 'dynamodb:Scan', resource: tableArn }, 'ImplicitDeny'],
  ['PartiQL is not granted', me, { action: 'dynamodb:PartiQLSelect', resource: tableArn }, 'ImplicitDeny'],
  ['anonymous public read', anonymous, { action: 's3:GetObject', resource: `arn:aws:s3:::b/${ME}/public/i.html` }, 'Allow'],
  ['anonymous private read', anonymous, { action: 's3:GetObject', resource: `arn:aws:s3:::b/${ME}/i.html` }, 'ImplicitDeny'],
  ['anonymous public write', anonymous, { action: 's3:PutObject', resource: `arn:aws:s3:::b/${ME}/public/i.html` }, 'ImplicitDeny'],
  ['a private sub-folder named public stays private', anonymous, { action: 's3:GetObject', resource: `arn:aws:s3:::b/${ME}/x/public/i.html` }, 'ImplicitDeny'],
  ['public files in a nested public folder', anonymous, { action: 's3:GetObject', resource: `arn:aws:s3:::b/${ME}/public/x/public/i.html` }, 'Allow'],
  ['a key that is not under an identity id', anonymous, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/x/public/i.html' }, 'ImplicitDeny'],
]

describe('our policies', () => {
  it.each(cases)('%s', (_, caller, request, expected) => {
    const identity = caller === me ? [role] : []
    expect(evaluate(request, caller, identity, [bucketPolicy])).toBe(expected)
  })
})

describe('evaluation logic', () => {
  const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement })
  const req: AuthorizationRequest = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }

  it('an explicit Deny beats any Allow, in identity or resource policies', () => {
    const allow = doc({ Effect: 'Allow', Action: '*', Resource: '*' })
    const deny = doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' })
    expect(evaluate(req, me, [allow], [deny])).toBe('ExplicitDeny')
    expect(evaluate(req, me, [allow])).toBe('Allow')
  })

  it('no statement applies: implicit deny', () => {
    expect(evaluate(req, me, [])).toBe('ImplicitDeny')
  })

  it('ForAllValues over a missing key is true, ForAnyValue is false', () => {
    const all = doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { k: 'v' } } })
    const any = doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { k: 'v' } } })
    expect(evaluate(req, me, [all])).toBe('Allow')
    expect(evaluate(req, me, [any])).toBe('ImplicitDeny')
  })

  it('a statement with an unbound policy variable matches nothing', () => {
    const p = doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:username}' })
    expect(evaluate(req, anonymous, [p])).toBe('ImplicitDeny')
  })

  it('a substituted value is literal: a * in it is not a wildcard', () => {
    const p = doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${v}/x' })
    const caller: Caller = { variables: { v: '*' } }
    expect(evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/anything/x' }, caller, [p])).toBe('ImplicitDeny')
    expect(evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/*/x' }, caller, [p])).toBe('Allow')
  })

  it('NotAction and NotResource invert the match', () => {
    const p = doc({ Effect: 'Allow', NotAction: 's3:DeleteObject', NotResource: 'arn:aws:s3:::b/secret/*' })
    expect(evaluate(req, me, [p])).toBe('Allow')
    expect(evaluate({ ...req, action: 's3:DeleteObject' }, me, [p])).toBe('ImplicitDeny')
    expect(evaluate({ ...req, resource: 'arn:aws:s3:::b/secret/k' }, me, [p])).toBe('ImplicitDeny')
  })

  it('resource policies apply only to the principals they name', () => {
    const p = doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:sts::0:assumed-role/r/s' }, Action: '*', Resource: '*' })
    expect(evaluate(req, me, [], [p])).toBe('Allow')
    expect(evaluate(req, anonymous, [], [p])).toBe('ImplicitDeny')
  })

  it('an operator it does not know is an error, never a silent allow', () => {
    const p = doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } } })
    expect(() => evaluate(req, me, [p])).toThrow(/not supported/)
  })
})
