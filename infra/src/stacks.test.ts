/**
 * The synthesized stacks, resource by resource, with `aws-cdk-lib/assertions`: every resource
 * and its key settings. The rules across every policy and cdk-nag are in stack-rules.test.ts.
 * One synthesis for the file.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkConfig } from '../../packages/sdk/src/config-check.js'
import { BUCKET_DOMAIN, originRequest } from '../../packages/subdomain-proxy/test/fixtures/cloudfront.js'
import { CONFIG_OUTPUT } from './config-outputs.js'
import { VIEWER_REQUEST_CODE } from './edge/viewer-request.js'
import { EXPOSED_HEADERS } from './files-bucket.js'
import { infraPath, REPO_ROOT } from './lambda-bundle.js'
import { PASSWORD_POLICY } from './password-policy.js'
import { resolver } from './testing/intrinsics.js'
import { statementsOf } from './testing/policy-documents.js'
import { resourcesOf, type Synthesized, synthesize, TEST_STAGE } from './testing/synth.js'

let s: Synthesized
beforeAll(() => {
  s = synthesize()
})

const both = () => [s.edgeJson, s.dataJson]

describe('edge stack (us-east-1): user sites', () => {
  it('lives in us-east-1, where CloudFront takes certificates and Lambda@Edge', () => {
    expect(s.stacks.edge.region).toBe('us-east-1')
    expect(s.stacks.data.region).toBe(TEST_STAGE.dataRegion)
  })

  it('no cycle: the edge stack references nothing of the data stack, which depends on it', () => {
    const edge = JSON.stringify(s.edgeJson)
    expect(edge).not.toContain('Fn::ImportValue')
    expect(resourcesOf(s.edgeJson, 'Custom::CrossRegionExportReader')).toEqual([])
    // The data stack is named only where the edge stack writes the values it hands over.
    const mentions = Object.entries(s.edgeJson.Resources).filter(([, r]) => JSON.stringify(r).includes('whimsy-test-data'))
    for (const [, r] of mentions) expect(JSON.stringify(r).replaceAll(/\/cdk\/exports\/whimsy-test-data\//g, '')).not.toContain('whimsy-test-data')
    expect(s.stacks.data.dependencies).toEqual([s.stacks.edge])
    expect(s.stacks.edge.dependencies).toEqual([])
  })

  it('a wildcard certificate for the sites domain, validated in the configured zone', () => {
    s.edge.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: '*.sites.test',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: '*.sites.test', HostedZoneId: 'Z0SITESZONE' }],
    })
  })

  it('the distribution: *.<sitesDomain>, TLS 1.2+, the S3 origin through OAC, both edge steps', () => {
    s.edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['*.sites.test'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' }),
        Origins: [
          Match.objectLike({
            DomainName: { 'Fn::Join': ['', ['whimsy-test-files-', { Ref: 'AWS::AccountId' }, '-eu-west-1.s3.eu-west-1.amazonaws.com']] },
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
          FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: Match.anyValue() }],
          LambdaFunctionAssociations: [Match.objectLike({ EventType: 'origin-request' }), Match.objectLike({ EventType: 'origin-response' })],
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
      }),
    })
  })

  it('OAC on every S3 origin: SigV4, always signed', () => {
    for (const t of both()) {
      const oacs = resourcesOf(t, 'AWS::CloudFront::OriginAccessControl')
      expect(oacs.length).toBe(1)
      expect(oacs[0]![1].Properties?.OriginAccessControlConfig).toMatchObject({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      })
      for (const [, d] of resourcesOf(t, 'AWS::CloudFront::Distribution'))
        for (const origin of (d.Properties?.DistributionConfig as { Origins: Record<string, unknown>[] }).Origins) {
          expect(origin.OriginAccessControlId).toBeDefined()
          expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' })
        }
    }
  })

  it('the viewer-request CloudFront Function moves the host into the URI', () => {
    s.edge.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: VIEWER_REQUEST_CODE,
      FunctionConfig: { Runtime: 'cloudfront-js-2.0', Comment: Match.anyValue() },
      AutoPublish: true,
    })
  })

  it('no Host (nor any header) in any cache or origin-request policy; no query in the sites cache key', () => {
    for (const t of both()) {
      for (const [, p] of resourcesOf(t, 'AWS::CloudFront::CachePolicy')) {
        const params = (
          p.Properties?.CachePolicyConfig as { ParametersInCacheKeyAndForwardedToOrigin: Record<string, { HeaderBehavior?: string; Headers?: string[] }> }
        ).ParametersInCacheKeyAndForwardedToOrigin
        expect(params.HeadersConfig?.HeaderBehavior).toBe('none')
        expect(JSON.stringify(params).toLowerCase()).not.toContain('host')
      }
      for (const [, p] of resourcesOf(t, 'AWS::CloudFront::OriginRequestPolicy')) expect(JSON.stringify(p.Properties).toLowerCase()).not.toContain('host')
    }
    s.edge.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          QueryStringsConfig: { QueryStringBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
        }),
      }),
    })
  })

  it('a response-headers policy: nosniff, HSTS, referrer policy', () => {
    s.edge.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentTypeOptions: { Override: true },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
          ReferrerPolicy: Match.objectLike({ ReferrerPolicy: 'strict-origin-when-cross-origin' }),
        }),
      }),
    })
  })

  it('edge functions have no environment; configuration is baked into the bundle', () => {
    const versions = resourcesOf(s.edgeJson, 'AWS::Lambda::Version')
    expect(versions.length).toBeGreaterThan(0)
    for (const [, v] of versions) {
      const fnId = (v.Properties?.FunctionName as { Ref: string }).Ref
      const fn = s.edgeJson.Resources[fnId]!
      expect(fn.Properties?.Environment).toBeUndefined()
      expect(fn.Properties?.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/)
    }
    const bundle = readFileSync(join(infraPath('dist', 'bundles', 'whimsy-test-sites-origin'), 'index.mjs'), 'utf8')
    // Booleans, not toContain: a failure would print the whole bundle.
    expect(bundle.includes('{sitesDomain:"sites.test",handlesApi:"https://handles.app.whimsy.test"}')).toBe(true)
    // Only the role's credentials come from the process environment (Lambda puts them there).
    expect(/process\.env\.WHIMSY|WHIMSY_[A-Z_]+/.test(bundle)).toBe(false)
    expect(bundle.includes('"eu-west-1"')).toBe(true)
  })

  it('the bundles load and run on this Node: the edge answers from its baked-in configuration, the claim function asks for its environment', async () => {
    const edge = (await import(pathToFileURL(join(infraPath('dist', 'bundles', 'whimsy-test-sites-origin'), 'index.mjs')).href)) as {
      handler: (e: unknown) => Promise<{ status?: string }>
    }
    expect((await edge.handler(originRequest(BUCKET_DOMAIN, '/alice.sites.test/%2e%2e/secret'))).status).toBe('400')
    expect((await edge.handler(originRequest(BUCKET_DOMAIN, '/alice.elsewhere.test/'))).status).toBe('404')
    const claim = (await import(pathToFileURL(join(infraPath('dist', 'bundles', 'whimsy-test-claim'), 'index.mjs')).href)) as {
      handler: (e: unknown) => Promise<unknown>
    }
    const saved = { ...process.env }
    for (const k of Object.keys(process.env)) if (k.startsWith('WHIMSY_') || k === 'AWS_REGION') delete process.env[k]
    try {
      await expect((async () => claim.handler({ rawPath: '/available/x', requestContext: { http: { method: 'GET' } } }))()).rejects.toThrow(
        /Claim function configuration: region is required/,
      )
    } finally {
      Object.assign(process.env, saved)
    }
  })

  it('A and AAAA records for *.<sitesDomain> in the configured zone, aliased to the distribution', () => {
    for (const Type of ['A', 'AAAA'])
      s.edge.hasResourceProperties('AWS::Route53::RecordSet', { Name: '*.sites.test.', Type, HostedZoneId: 'Z0SITESZONE', AliasTarget: Match.objectLike({}) })
  })
})

describe('data stack: files bucket', () => {
  const files = () => resourcesOf(s.dataJson, 'AWS::S3::Bucket').find(([, b]) => JSON.stringify(b.Properties?.BucketName).includes('-files-'))!

  it('ACLs off, all public access blocked, versioned, encrypted, retained', () => {
    const [, bucket] = files()
    expect(bucket.Properties).toMatchObject({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
    })
    expect(bucket.DeletionPolicy).toBe('Retain')
    expect(bucket.UpdateReplacePolicy).toBe('Retain')
  })

  it('lifecycle: noncurrent versions after 30 days keeping the newest 3; abandoned uploads after 7 days', () => {
    expect(files()[1].Properties?.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'history-and-abandoned-uploads',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 30, NewerNoncurrentVersions: 3 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    })
  })

  it('CORS for any origin, exposing ETag and the headers the SDK reads', () => {
    const rules = (files()[1].Properties?.CorsConfiguration as { CorsRules: Record<string, unknown>[] }).CorsRules
    expect(rules).toHaveLength(1)
    expect(rules[0]).toMatchObject({ AllowedOrigins: ['*'], AllowedHeaders: ['*'], ExposedHeaders: EXPOSED_HEADERS })
    expect(rules[0]!.ExposedHeaders).toContain('ETag')
  })

  it('TLS only, and no statement that makes anything public', () => {
    const [id] = files()
    const policy = statementsOf(s.dataJson).filter(
      (f) => f.type === 'AWS::S3::BucketPolicy' && JSON.stringify(s.dataJson.Resources[f.resource]!.Properties?.Bucket) === JSON.stringify({ Ref: id }),
    )
    expect(
      policy.some(
        (f) => f.statement.Effect === 'Deny' && JSON.stringify(f.statement.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      ),
    ).toBe(true)
    expect(policy.filter((p) => p.statement.Effect === 'Allow')).toHaveLength(2)
    for (const f of policy.filter((p) => p.statement.Effect === 'Allow')) {
      expect(f.statement.Action).toBe('s3:GetObject')
      expect(JSON.stringify(f.statement.Resource)).toContain('/eu-west-1:????????-????-????-????-????????????/public/*')
      // The edge function's role (its own reads of 404.html, dir/index.html), from the edge stack.
      if (JSON.stringify(f.statement.Principal).includes('ExportsReader')) continue
      expect(f.statement.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' })
      // The distribution's ARN, its id read from the edge stack's cross-region export.
      expect(Object.keys(f.statement.Condition ?? {})).toEqual(['StringEquals'])
      expect(Object.keys(f.statement.Condition?.StringEquals ?? {})).toEqual(['AWS:SourceArn'])
      expect(JSON.stringify(f.statement.Condition)).toMatch(
        /:distribution\/",\{"Fn::GetAtt":\["ExportsReader\w+","\/cdk\/exports\/whimsy-test-data\/whimsytestedgeuseast1RefSites/,
      )
    }
  })
})

describe('data stack: Cognito', () => {
  it('the user pool: self sign-up, e-mail verified, the shared password policy, recovery by e-mail, deletion protection, retained', () => {
    s.data.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        AutoVerifiedAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        // Sign-in with the e-mail address as well as the username.
        AliasAttributes: ['email'],
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        DeletionProtection: 'ACTIVE',
        UserPoolTier: 'LITE',
        Policies: {
          PasswordPolicy: {
            MinimumLength: PASSWORD_POLICY.minimumLength,
            RequireLowercase: PASSWORD_POLICY.requireLowercase,
            RequireUppercase: PASSWORD_POLICY.requireUppercase,
            RequireNumbers: PASSWORD_POLICY.requireNumbers,
            RequireSymbols: PASSWORD_POLICY.requireSymbols,
            TemporaryPasswordValidityDays: 3,
          },
        },
      }),
    })
  })

  it('one app client: SRP and refresh only, no secret, no OAuth, user-existence errors prevented', () => {
    const clients = resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolClient')
    expect(clients).toHaveLength(1)
    const p = clients[0]![1].Properties!
    expect([...(p.ExplicitAuthFlows as string[])].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'])
    expect(p.GenerateSecret).toBe(false)
    expect(p.PreventUserExistenceErrors).toBe('ENABLED')
    expect(p.AllowedOAuthFlows).toBeUndefined()
    expect(p.AllowedOAuthFlowsUserPoolClient).toBe(false)
  })

  it('the identity pool: that client, classic flow off, no guests, and no unauthenticated role at all', () => {
    const [clientId] = resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolClient')[0]!
    s.data.hasResourceProperties('AWS::Cognito::IdentityPool', {
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [Match.objectLike({ ClientId: { Ref: clientId } })],
    })
    const attachments = resourcesOf(s.dataJson, 'AWS::Cognito::IdentityPoolRoleAttachment')
    expect(attachments).toHaveLength(1)
    expect(Object.keys(attachments[0]![1].Properties?.Roles as object)).toEqual(['authenticated'])
    const cognitoRoles = resourcesOf(s.dataJson, 'AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('cognito-identity'),
    )
    expect(cognitoRoles).toHaveLength(1)
    expect(JSON.stringify(cognitoRoles[0]![1].Properties?.AssumeRolePolicyDocument)).not.toContain('unauthenticated')
  })
})

describe('data stack: DynamoDB and the claim function', () => {
  it('the key-value table: on demand, PITR, TTL on expiresAt, deletion protection, retained', () => {
    s.data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'whimsy-test-kv',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'identityId', KeyType: 'HASH' },
          { AttributeName: 'key', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
      }),
    })
  })

  it('the handle registry: its own table, on demand, PITR, retained', () => {
    s.data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'whimsy-test-handles',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    })
  })

  it('the claim function: Node 22+, configured by environment, allowed Get/Put/DeleteItem on the registry only', () => {
    const [fnId, fn] = resourcesOf(s.dataJson, 'AWS::Lambda::Function').find(([, f]) => f.Properties?.FunctionName === 'whimsy-test-claim')!
    expect(fn.Properties?.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/)
    expect(Object.keys((fn.Properties?.Environment as { Variables: object }).Variables).sort()).toEqual(
      ['WHIMSY_APP_ORIGINS', 'WHIMSY_HANDLES_TABLE', 'WHIMSY_IDENTITY_POOL_ID', 'WHIMSY_REGION', 'WHIMSY_USER_POOL_CLIENT_ID', 'WHIMSY_USER_POOL_ID'].sort(),
    )
    const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]
    const statements = statementsOf(s.dataJson).filter((f) => JSON.stringify(s.dataJson.Resources[f.resource]!.Properties?.Roles ?? []).includes(roleId))
    const [registryId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => t.Properties?.TableName === 'whimsy-test-handles')!
    expect(JSON.parse(JSON.stringify(statements.map((f) => f.statement)))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], Resource: [{ 'Fn::GetAtt': [registryId, 'Arn'] }] },
    ])
    expect(fnId).toBeTruthy()
  })

  it('the handles API’s CORS trusts the app and the stage’s appOrigins (the examples), and no one else', () => {
    const functions = resourcesOf(s.dataJson, 'AWS::Lambda::Function').filter(([, f]) => /^whimsy-test-(claim|erase)/.test(String(f.Properties?.FunctionName)))
    expect(functions.length).toBe(2)
    for (const [, fn] of functions)
      expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.WHIMSY_APP_ORIGINS).toBe(
        'https://app.whimsy.test,https://examples.whimsy.test',
      )
  })

  it('the erase function: its own Lambda behind DELETE /account, allowed exactly what account-erase.ts calls', () => {
    const [, fn] = resourcesOf(s.dataJson, 'AWS::Lambda::Function').find(([, f]) => f.Properties?.FunctionName === 'whimsy-test-erase')!
    expect(fn.Properties?.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/)
    const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]
    const statements = statementsOf(s.dataJson)
      .filter((f) => JSON.stringify(s.dataJson.Resources[f.resource]!.Properties?.Roles ?? []).includes(roleId))
      .map((f) => JSON.parse(JSON.stringify(f.statement)) as { Action: string[]; Resource: unknown })
    const actions = statements.flatMap((st) => [st.Action].flat()).sort()
    expect(actions).toEqual(
      [
        's3:ListBucketVersions',
        's3:ListBucketMultipartUploads',
        's3:DeleteObjectVersion',
        's3:AbortMultipartUpload',
        'dynamodb:Query',
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:DeleteItem',
        // The change log (issue 15): eraseChangeLog's Query and DeleteItem.
        'dynamodb:Query',
        'dynamodb:DeleteItem',
      ].sort(),
    )
    const [kvId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => t.Properties?.TableName === 'whimsy-test-kv')!
    const [registryId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => t.Properties?.TableName === 'whimsy-test-handles')!
    const [logId] = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table').find(([, t]) => t.Properties?.TableName === 'whimsy-test-changes')!
    expect(statements.filter((st) => st.Action.includes('dynamodb:Query')).flatMap((st) => [st.Resource].flat())).toEqual([
      { 'Fn::GetAtt': [kvId, 'Arn'] },
      { 'Fn::GetAtt': [logId, 'Arn'] },
    ])
    expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.WHIMSY_CHANGES_TABLE).toEqual({ Ref: logId })
    expect(statements.find((st) => st.Action.includes('dynamodb:GetItem'))?.Resource).toEqual([{ 'Fn::GetAtt': [registryId, 'Arn'] }])
    // The route goes to the erase function; everything else stays the claim function's.
    const routes = resourcesOf(s.dataJson, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties?.RouteKey)
    expect(routes).toContain('DELETE /account')
  })

  it('the handles API on its own host name (known before deploy, baked into the edge)', () => {
    s.data.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'handles.app.whimsy.test' })
    s.data.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', DisableExecuteApiEndpoint: true })
    s.data.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'handles.app.whimsy.test.', Type: 'A', HostedZoneId: 'Z0APPZONE' })
  })
})

describe('data stack: the app and the configuration it is given', () => {
  const resolvedConfig = () => {
    const resolve = resolver(s.dataJson, {
      account: '111111111111',
      region: 'eu-west-1',
      refs: Object.fromEntries([
        ...resourcesOf(s.dataJson, 'AWS::Cognito::UserPool').map(([id]) => [id, 'eu-west-1_TestPool1']),
        ...resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolClient').map(([id]) => [id, '5abc1defg2hijk3lmno4pqrst']),
        ...resourcesOf(s.dataJson, 'AWS::Cognito::IdentityPool').map(([id]) => [id, 'eu-west-1:00000000-0000-4000-8000-000000000000']),
      ]),
    })
    return JSON.parse(String(resolve(s.dataJson.Outputs?.[CONFIG_OUTPUT]?.Value))) as Record<string, unknown>
  }

  it('the output is exactly the SDK’s configuration object, and the SDK accepts it', () => {
    const config = resolvedConfig()
    expect(config).toEqual({
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_TestPool1',
      userPoolClientId: '5abc1defg2hijk3lmno4pqrst',
      identityPoolId: 'eu-west-1:00000000-0000-4000-8000-000000000000',
      bucket: 'whimsy-test-files-111111111111-eu-west-1',
      table: 'whimsy-test-kv',
      sitesDomain: 'sites.test',
      sitesProtocol: 'https',
      handlesApi: 'https://handles.app.whimsy.test',
      authFlow: 'USER_SRP_AUTH',
      passwordPolicy: PASSWORD_POLICY,
    })
    expect(checkConfig(config)).toMatchObject({ bucket: config.bucket, handlesApi: config.handlesApi })
  })

  it('the app distribution serves the app bucket through OAC on the app domain, with config.json deployed beside it', () => {
    s.data.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Aliases: ['app.whimsy.test'], DefaultRootObject: 'index.html' }),
    })
    const deployments = resourcesOf(s.dataJson, 'Custom::CDKBucketDeployment')
    // The app, its config.json, and the SDK's browser build under sdk/<version>/ and sdk/latest/
    // (the test setup's local cloud has built it).
    expect(deployments).toHaveLength(4)
    const config = deployments.find(([, d]) => d.Properties?.Prune === false)!
    expect(config[1].Properties?.SystemMetadata).toEqual({ 'cache-control': 'no-cache' })
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'packages/sdk/package.json'), 'utf8')) as { version: string }).version
    const sdk = deployments.filter(([, d]) => String(d.Properties?.DestinationBucketKeyPrefix ?? '').startsWith('sdk/'))
    expect(Object.fromEntries(sdk.map(([, d]) => [d.Properties?.DestinationBucketKeyPrefix, d.Properties?.SystemMetadata]))).toEqual({
      [`sdk/${version}/`]: { 'cache-control': 'public, max-age=31536000, immutable' },
      'sdk/latest/': { 'cache-control': 'no-cache' },
    })
    // The app's own deployment prunes, but neither config.json nor the SDK's files.
    const app = deployments.find(([, d]) => d.Properties?.Prune !== false && !d.Properties?.DestinationBucketKeyPrefix)!
    expect(app[1].Properties?.Exclude).toEqual(['config.json', 'sdk/*'])
  })

  it('the app is sent the strict Content-Security-Policy the local cloud sends, connect-src from the stack’s endpoints', () => {
    const policies = resourcesOf(s.dataJson, 'AWS::CloudFront::ResponseHeadersPolicy')
    const app = policies.find(([, p]) => (p.Properties?.ResponseHeadersPolicyConfig as { Name?: string }).Name === 'whimsy-test-app')
    expect(app).toBeDefined()
    const security = (app?.[1].Properties?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: { ContentSecurityPolicy: Record<string, unknown> } })
      .SecurityHeadersConfig.ContentSecurityPolicy
    expect(security.Override).toBe(true)
    const resolve = resolver(s.dataJson, { account: '111111111111', region: 'eu-west-1' })
    const feeds = resourcesOf(s.dataJson, 'AWS::AppSync::Api')
    expect(feeds).toHaveLength(1)
    const api = String(feeds[0]?.[0]).toLowerCase().slice(0, 26)
    expect(resolve(security.ContentSecurityPolicy)).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "font-src 'self'",
        `connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com https://cognito-identity.eu-west-1.amazonaws.com https://whimsy-test-files-111111111111-eu-west-1.s3.eu-west-1.amazonaws.com https://dynamodb.eu-west-1.amazonaws.com https://handles.app.whimsy.test https://${api}.appsync-api.eu-west-1.amazonaws.com wss://${api}.appsync-realtime-api.eu-west-1.amazonaws.com`,
        "frame-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    )
  })

  it('apps on other origins may read config.json and the SDK build: CORS for any origin, reads only, no credentials', () => {
    s.data.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        CorsConfig: Match.objectLike({
          AccessControlAllowOrigins: { Items: ['*'] },
          AccessControlAllowMethods: { Items: ['GET', 'HEAD'] },
          AccessControlAllowCredentials: false,
        }),
      }),
    })
  })
})
