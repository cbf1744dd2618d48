/**
 * Proves every rule in `.dependency-cruiser.cjs` still bites: each case builds a miniature of
 * this repository in a temporary directory (same folders, package names and `exports` maps),
 * breaks one rule, and expects dependency-cruiser, run with our configuration, to report that
 * rule by name. A configuration mistake makes rules pass silently rather than fail (excluding
 * `node_modules` once hid every AWS client import), so a clean run on the real tree alone
 * proves nothing.
 *
 * Runs under `node --test` from `npm run lint:deps`, not under vitest: it needs no local cloud,
 * and vitest's global setup would start one. Plain JavaScript, because under tsx's loader
 * dependency-cruiser's swc visitor import resolves to the wrong export.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, it } from 'node:test'
import { cruise } from 'dependency-cruiser'

const require = createRequire(import.meta.url)
/** @type {import('dependency-cruiser').IConfiguration} */
const config = require('../.dependency-cruiser.cjs')
const FOLDERS = ['packages', 'infra', 'test', 'examples']

const json = (value) => `${JSON.stringify(value, null, 2)}\n`

/** The skeleton every case starts from: clean under every rule. */
const BASE = {
  'package.json': json({ name: 'fixture', private: true, type: 'module', workspaces: ['infra', 'packages/*', 'examples'] }),
  'packages/sdk/package.json': json({
    name: '@whimsy/sdk',
    type: 'module',
    exports: { '.': './src/index.ts', './config': './src/config.ts', './password-policy': './src/auth/password-policy.ts', './node': './src/node.ts' },
  }),
  'packages/sdk/src/index.ts': "export { fs } from './fs.js'\n",
  'packages/sdk/src/config.ts': 'export interface WhimsyConfig { region: string }\n',
  'packages/sdk/src/auth/password-policy.ts': 'export const policy = 1\n',
  'packages/sdk/src/node.ts': 'export const node = 1\n',
  'packages/sdk/src/fs.ts': "import { checkHandle } from '@whimsy/sites/handles'\nexport const fs = checkHandle\n",
  'packages/sdk/test/fs.test.ts':
    "import { startLocalCloud } from '@whimsy/local-cloud'\nimport { users } from '../../../test/users.js'\nexport const t = [startLocalCloud, users]\n",
  'packages/subdomain-proxy/package.json': json({ name: '@whimsy/sites', type: 'module', exports: { '.': './src/index.ts', './handles': './src/handles.ts' } }),
  'packages/subdomain-proxy/src/index.ts': "export { checkHandle } from './handles.js'\nexport { HandleRegistry } from './registry.js'\n",
  'packages/subdomain-proxy/src/handles.ts': 'export const checkHandle = (h: string) => h\n',
  'packages/subdomain-proxy/src/handle-cache.ts': 'export const cache = new Map<string, string>()\n',
  'packages/subdomain-proxy/src/registry.ts':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'\nexport class HandleRegistry { client = DynamoDBClient }\n",
  'packages/local-cloud/package.json': json({ name: '@whimsy/local-cloud', type: 'module', exports: { '.': './src/index.ts' } }),
  'packages/local-cloud/src/index.ts':
    "import { policies } from '@whimsy/infra/policies'\nimport type { WhimsyConfig } from '@whimsy/sdk/config'\nimport { HandleRegistry } from '@whimsy/sites'\nexport const startLocalCloud = (c: WhimsyConfig) => [c, policies, HandleRegistry]\n",
  'infra/package.json': json({ name: '@whimsy/infra', type: 'module', exports: { './policies': './src/policies.ts' } }),
  'infra/src/policies.ts': 'export const policies = {}\n',
  'infra/src/stack.ts': "import { checkHandle } from '@whimsy/sites/handles'\nexport const stack = checkHandle\n",
  'packages/briefcase-app/package.json': json({ name: '@whimsy/briefcase', type: 'module' }),
  'packages/briefcase-app/src/app.ts':
    "import { fs } from '@whimsy/sdk'\nimport type { WhimsyConfig } from '@whimsy/sdk/config'\nexport const app = (c: WhimsyConfig) => [c, fs]\n",
  'examples/package.json': json({ name: '@whimsy/examples', type: 'module' }),
  'examples/notes.ts': "import { fs } from '@whimsy/sdk'\nexport const notes = fs\n",
  'test/users.ts': "import { startLocalCloud } from '@whimsy/local-cloud'\nexport const users = startLocalCloud\n",
  'node_modules/@aws-sdk/client-dynamodb/package.json': json({ name: '@aws-sdk/client-dynamodb', main: 'index.js' }),
  'node_modules/@aws-sdk/client-dynamodb/index.js': 'exports.DynamoDBClient = class {}\n',
  'node_modules/@aws-sdk/client-s3/package.json': json({ name: '@aws-sdk/client-s3', main: 'index.js' }),
  'node_modules/@aws-sdk/client-s3/index.js': 'exports.S3Client = class {}\n',
}
const WORKSPACES = {
  '@whimsy/sdk': 'packages/sdk',
  '@whimsy/sites': 'packages/subdomain-proxy',
  '@whimsy/local-cloud': 'packages/local-cloud',
  '@whimsy/infra': 'infra',
  '@whimsy/briefcase': 'packages/briefcase-app',
  '@whimsy/examples': 'examples',
}

const roots = []
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** Builds the skeleton with `changes` applied and returns the names of the rules it breaks. */
async function brokenRules(changes) {
  const root = mkdtempSync(join(tmpdir(), 'whimsy-deps-'))
  roots.push(root)
  for (const [path, text] of Object.entries({ ...BASE, ...changes })) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  // npm links workspaces into node_modules; so do we, so package names resolve as in the repo.
  for (const [name, folder] of Object.entries(WORKSPACES)) {
    mkdirSync(dirname(join(root, 'node_modules', name)), { recursive: true })
    symlinkSync(join(root, folder), join(root, 'node_modules', name), 'dir')
  }
  // The fixture's packages export their sources directly, so the repository's tsconfig `paths`
  // (how the real workspace reaches @whimsy/sdk's sources) are left out here.
  const { tsConfig: _repoPaths, ...options } = config.options
  const result = await cruise(FOLDERS, { ruleSet: { ...config, options }, validate: true, outputType: 'json', baseDir: root, ...options }, {}, {})
  /** @type {import('dependency-cruiser').ICruiseResult} */
  const output = JSON.parse(String(result.output))
  return [...new Set(output.summary.violations.map((v) => v.rule.name))].sort()
}

describe('dependency rules', { concurrency: true }, () => {
  it('the skeleton breaks none (the SDK uses sites, the local cloud uses infra, sdk and sites, tests use the local cloud)', async () => {
    assert.deepEqual(await brokenRules({}), [])
  })

  const cases = [
    {
      rule: 'sdk-imports-no-local-cloud-or-infra',
      what: 'the SDK imports the local cloud',
      files: { 'packages/sdk/src/fs.ts': "import { startLocalCloud } from '@whimsy/local-cloud'\nexport const fs = startLocalCloud\n" },
    },
    {
      rule: 'sdk-imports-no-local-cloud-or-infra',
      what: 'the SDK imports a type from infra',
      files: { 'packages/sdk/src/fs.ts': "import type { policies } from '@whimsy/infra/policies'\nexport type Fs = typeof policies\n" },
    },
    {
      rule: 'apps-use-only-sdk-public-exports',
      what: 'an app imports an SDK file by relative path',
      files: { 'packages/briefcase-app/src/app.ts': "import { fs } from '../../sdk/src/fs.js'\nexport const app = fs\n" },
    },
    {
      rule: 'apps-use-only-sdk-public-exports',
      what: "an example imports the SDK's entry by relative path",
      files: { 'examples/notes.ts': "import { fs } from '../packages/sdk/src/index.js'\nexport const notes = fs\n" },
    },
    {
      rule: 'apps-use-only-sdk-public-exports',
      what: 'an example deep-imports the SDK by package name',
      files: { 'examples/notes.ts': "import { fs } from '@whimsy/sdk/src/fs.js'\nexport const notes = fs\n" },
    },
    {
      rule: 'apps-use-only-sdk-public-exports',
      what: 'an app imports another workspace package',
      files: { 'packages/briefcase-app/src/app.ts': "import { checkHandle } from '@whimsy/sites'\nexport const app = checkHandle\n" },
    },
    {
      rule: 'pure-edge-imports-no-aws-client',
      what: 'the edge cache reaches an AWS client through registry.ts',
      files: { 'packages/subdomain-proxy/src/handle-cache.ts': "import { HandleRegistry } from './registry.js'\nexport const cache = HandleRegistry\n" },
    },
    {
      rule: 'only-the-local-cloud-imports-infra',
      what: 'sites imports the policy module',
      files: { 'packages/subdomain-proxy/src/handles.ts': "import { policies } from '@whimsy/infra/policies'\nexport const checkHandle = () => policies\n" },
    },
    {
      rule: 'local-cloud-imports-only-the-policy-module',
      what: 'the local cloud imports an infra stack file',
      files: {
        'packages/local-cloud/src/index.ts': "import { stack } from '../../../infra/src/stack.js'\nexport const startLocalCloud = stack\n",
      },
    },
    {
      rule: 'nothing-imports-an-app',
      what: 'a test imports the Briefcase',
      files: { 'test/users.ts': "import { app } from '../packages/briefcase-app/src/app.js'\nexport const users = app\n" },
    },
    {
      rule: 'nothing-imports-an-app',
      what: 'the SDK imports an example',
      files: { 'packages/sdk/src/node.ts': "import { notes } from '../../../examples/notes.js'\nexport const node = notes\n" },
    },
    {
      rule: 'no-package-cycles',
      what: 'sites imports the SDK, which imports sites',
      files: {
        'packages/subdomain-proxy/src/handles.ts':
          "import type { WhimsyConfig } from '@whimsy/sdk/config'\nexport const checkHandle = (c: WhimsyConfig) => c\n",
      },
    },
    {
      rule: 'no-package-cycles',
      what: 'infra imports the local cloud, which imports infra',
      files: { 'infra/src/stack.ts': "import { startLocalCloud } from '@whimsy/local-cloud'\nexport const stack = startLocalCloud\n" },
    },
    {
      rule: 'no-package-cycles',
      what: 'a module cycle runs through two packages',
      files: {
        'packages/sdk/test/fs.test.ts': "import { users } from '../../../test/users.js'\nexport const t = () => users\n",
        'test/users.ts': "import { t } from '../packages/sdk/test/fs.test.js'\nexport const users = () => t\n",
      },
    },
    {
      rule: 'no-unresolvable-imports',
      what: 'an import resolves to nothing',
      files: { 'packages/local-cloud/src/index.ts': "import { gone } from './gone.js'\nexport const startLocalCloud = gone\n" },
    },
  ]
  for (const { rule, what, files } of cases) {
    it(`${rule} fails when ${what}`, async () => {
      assert.ok((await brokenRules(files)).includes(rule), `expected a violation of ${rule}`)
    })
  }
})
