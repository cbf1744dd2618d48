// The package dependency rules of ARCHITECTURE.md ("Package dependency rules"), checked by
// `npm run lint:deps` as part of `npm test`. A rule broken prints its name, e.g.
//   error sdk-imports-no-local-cloud-or-infra: packages/sdk/src/fs.ts → packages/local-cloud/src/index.ts
// Change a rule here and on that page together. `test/dependency-rules.check.mjs` (run by the
// same script) breaks each rule in a miniature of the repo and expects its name back.
//
// Parser: TypeScript 7 (the compiler this repo type-checks with) ships no JavaScript compiler
// API — `require('typescript')` exports only `version` — and dependency-cruiser refuses
// `typescript` >= 7 anyway (its `supportedTranspilers.typescript` is ">=2.0.0 <7.0.0"). It
// looks TypeScript up by the bare name `typescript`, so a `typescript6` alias beside it would
// never be found without a module-resolution hook. Its swc parser reads TypeScript syntax
// itself, so we use that (`@swc/core`, a root devDependency). swc keeps `import type` in the
// syntax tree, so type-only imports count as dependencies too: a type import from the local
// cloud into the SDK is still a wrong-way arrow.
//
// dependency-cruiser 17 (not 18): 18 needs Node 22, CI runs Node 20.
//
// Scope: the rules are about shipped code. Tests and benches of a package may start the
// local cloud (it is their fixture), so they are left out where a rule says so.

/** The SDK's public entry points: its package.json `exports`. Apps may reach these only. */
const SDK_EXPORTS = '^packages/sdk/src/(index|config|node|auth/password-policy|auth/srp)\\.ts$'
/** The code of the user-site edge that runs in CloudFront: no AWS client may reach it. */
const PURE_EDGE = '^packages/subdomain-proxy/src/(resolve|site-handler|handles|conditional|handle-cache|lambda-edge|edge-config)\\.ts$'
const APPS = '^(packages/briefcase-app|examples)/'
const APP_SOURCE = { path: APPS, pathNot: '(^|/)test/|\\.test\\.ts$' }

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'sdk-imports-no-local-cloud-or-infra',
      comment: 'The SDK runs in browsers against production; the local cloud and infra are not part of it (they depend on it, not the other way).',
      severity: 'error',
      from: { path: '^packages/sdk/src/' },
      to: { path: '^(packages/local-cloud|infra)/' },
    },
    {
      name: 'apps-use-only-sdk-public-exports',
      comment: 'Apps and examples reach our code only through @whimsy/sdk and its declared subpaths: a file outside its exports.',
      severity: 'error',
      from: APP_SOURCE,
      to: { path: '^(packages|infra|test)/', pathNot: [SDK_EXPORTS, '^$1/'] },
    },
    {
      name: 'apps-use-only-sdk-public-exports',
      comment: 'Apps and examples import the SDK by its package name, never by a relative path into packages/sdk.',
      severity: 'error',
      from: APP_SOURCE,
      to: { path: SDK_EXPORTS, dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'apps-use-only-sdk-public-exports',
      comment: 'A deep import by package name (@whimsy/sdk/src/…) does not resolve through the exports map: refuse it by name rather than as a generic unresolvable import.',
      severity: 'error',
      from: APP_SOURCE,
      to: { path: '^@whimsy/', couldNotResolve: true },
    },
    {
      name: 'pure-edge-imports-no-aws-client',
      comment: 'The edge code runs in CloudFront (Lambda@Edge, CloudFront Functions) and is tested with plain Requests; AWS calls are injected (HandleLookup, ObjectFetcher), never imported, not even through another file.',
      severity: 'error',
      from: { path: PURE_EDGE },
      to: { path: '^node_modules/@aws-sdk/', reachable: true },
    },
    {
      name: 'only-the-local-cloud-imports-infra',
      comment: "infra is the production stack; outside infra itself, only the local cloud may import it (for the policy module it enforces).",
      severity: 'error',
      from: { pathNot: '^(infra|packages/local-cloud)/' },
      to: { path: '^infra/' },
    },
    {
      name: 'local-cloud-imports-only-the-policy-module',
      comment:
        'The local cloud evaluates the policy documents infra deploys, applies its password policy, sends the app’s Content-Security-Policy, runs its two edge steps (the CloudFront Function, the Lambda@Edge adapter), and nothing else of infra (no CDK in the local cloud).',
      severity: 'error',
      from: { path: '^packages/local-cloud/' },
      to: { path: '^infra/', pathNot: '^infra/src/(policies|policy-types|password-policy|app-csp|edge/viewer-request|edge/sites-origin)\\.ts$' },
    },
    {
      name: 'nothing-imports-an-app',
      comment: 'Apps are leaves: no package, test or other app builds on the Briefcase.',
      severity: 'error',
      from: { pathNot: '^packages/briefcase-app/' },
      to: { path: '^packages/briefcase-app/' },
    },
    {
      name: 'nothing-imports-an-app',
      comment: 'Examples are leaves too: nothing outside examples/ builds on them.',
      severity: 'error',
      from: { pathNot: '^examples/' },
      to: { path: '^examples/' },
    },
    {
      name: 'no-package-cycles',
      comment:
        'Shipped code points one way: sites ← sdk ← infra ← local-cloud ← apps, examples and the shared test setup. Here: sites/src imports none of sdk, infra, local-cloud; infra/src not the local cloud.',
      severity: 'error',
      from: { path: '^packages/subdomain-proxy/src/' },
      to: { path: '^(packages/(sdk|local-cloud)|infra)/' },
    },
    {
      name: 'no-package-cycles',
      comment:
        'The change feed writer (issue 15) is a leaf both the local cloud and the production Lambda (bundled by infra) run: it imports none of our packages, so neither side drags the other in.',
      severity: 'error',
      from: { path: '^packages/change-feed/src/' },
      to: { path: '^(packages/(sdk|local-cloud|subdomain-proxy|briefcase-app)|infra|examples)/' },
    },
    {
      name: 'no-package-cycles',
      comment:
        "infra/src (the CDK app) may bundle sites code and read the SDK configuration type, but never the local cloud, which imports infra. Its tests may: the local cloud's IAM evaluator is their fixture (it judges the synthesized policies).",
      severity: 'error',
      from: { path: '^infra/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^packages/local-cloud/' },
    },
    {
      name: 'no-package-cycles',
      comment:
        'No import cycle that leaves a package (a module cycle through two packages is a package cycle). Cycles inside one package are not checked: sites has a type-only one (edge-config ↔ lambda-edge), and swc does not mark imports as type-only.',
      severity: 'error',
      from: { path: '^(packages/[^/]+|infra|examples|test)/' },
      to: { circular: true, via: { pathNot: '^$1/' } },
    },
    {
      name: 'no-unresolvable-imports',
      comment: 'Every import must resolve: a rule cannot see through an import it could not follow, so a resolver mistake would otherwise pass every rule silently.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    doNotFollow: { path: 'node_modules' },
    // Not node_modules here: an excluded module vanishes from every rule, so imports of AWS
    // clients would too. doNotFollow keeps them as leaves instead.
    // .tsx too: swc is called with TypeScript syntax only (no JSX) and fails on them. The
    // Briefcase's .tsx files are held to the apps rule by packages/briefcase-app/src/imports.test.ts.
    exclude: { path: ['(^|/)(dist|\\.whimsy)/', '\\.tsx$'] },
    // Resolve like the bundler and Node do: `exports` maps with the import condition, and the
    // repo's `./x.js` specifiers (TypeScript's ESM convention) to `./x.ts`.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    cache: false,
    // The workspace imports @whimsy/sdk from source through tsconfig's `paths` (its package.json
    // exports point at the built dist/, which a fresh checkout does not have).
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
