/**
 * The SDK as an app gets it (issue 12, "a package an app installs"): build, `npm pack`, install
 * the tarball in a fresh project outside the workspace, type-check an app against it with the
 * repo's TypeScript, and run that app in plain Node against the shared local cloud — signing
 * up, confirming with the mailbox's code, signing in, and, in a new process, restoring the
 * session from its file and reading back what it wrote.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createContext, runInContext } from 'node:vm'
import { build, transform } from 'esbuild'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { latestCode } from '../../../test/users.js'
import { uniqueName } from './sdk-users.js'

const run = promisify(execFile)
const cloud = inject('cloud')
const sdkRoot = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = join(sdkRoot, '../..')
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc')
// The AWS SDK's types name Node's (`node:stream`, `Buffer`), so an app that checks its libraries'
// types (skipLibCheck false, as here) needs @types/node until the SDK stops shipping those clients.
const typesNode = `@types/node@${(JSON.parse(readFileSync(join(repoRoot, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version}`

// npm started by `npx vitest` exports its own settings (npm_config_*, the workspace's prefix…);
// the app's npm must see a plain environment, as in a fresh terminal.
const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))

const APP = `
import { createWhimsy, isWhimsyError, type Whimsy, type WhimsyErrorCode } from '@whimsy/sdk'
import type { WhimsyConfig } from '@whimsy/sdk/config'
import { fileStorage } from '@whimsy/sdk/node'
import { passwordProblems } from '@whimsy/sdk/password-policy'
import { configJson, mailbox } from './cloud.js'

const [step, username = '', code = ''] = process.argv.slice(2)
const password = 'correct-horse-42'
const config = JSON.parse(configJson) as WhimsyConfig
const whimsy: Whimsy = createWhimsy(config, { storage: fileStorage('./session.json') })
const say = (value: unknown) => console.log(JSON.stringify(value))

if (step === 'sign-up') {
  if (config.passwordPolicy && passwordProblems(config.passwordPolicy, password).length > 0) throw new Error('weak password')
  const { confirmed } = await whimsy.auth.signUp({ username, email: username + '@example.com', password })
  say({ confirmed, mailbox })
} else if (step === 'sign-in') {
  await whimsy.auth.confirmSignUp({ username, code })
  const user = await whimsy.auth.signIn({ username, password })
  await whimsy.fs.write('/notes/hello.txt', 'Hello from a packed SDK')
  say({ username: user.username, text: await whimsy.fs.readText('/notes/hello.txt') })
} else {
  const user = await whimsy.auth.ready
  const missing: WhimsyErrorCode = await whimsy.fs.readText('/nope.txt').then(() => 'Unknown', (e: unknown) => (isWhimsyError(e) ? e.code : 'Unknown'))
  say({ username: user?.username, text: await whimsy.fs.readText('/notes/hello.txt'), missing })
}

// Never called: proves the types are real, not \`any\` (an unused @ts-expect-error fails tsc).
export function typesAreChecked(w: Whimsy): void {
  // @ts-expect-error a path is a string
  void w.fs.write(5, 'x')
  // @ts-expect-error signIn needs a password
  void w.auth.signIn({ username: 'x' })
  // @ts-expect-error not an error code
  const code: WhimsyErrorCode = 'Oops'
  void code
}
`

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
  },
  include: ['app.ts', 'cloud.ts'],
}

describe('the packed SDK', () => {
  const work = mkdtempSync(join(tmpdir(), 'whimsy-sdk-pack-'))
  const app = join(work, 'app')
  const timings: Record<string, number> = {}
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const start = performance.now()
    try {
      return await step()
    } finally {
      timings[name] = Math.round(performance.now() - start)
    }
  }
  let packed: { filename: string; files: { path: string }[] }

  beforeAll(async () => {
    await timed('build', () => run('npm', ['run', 'build'], { cwd: sdkRoot, env: plainEnv }))
    const { stdout } = await timed('pack', () =>
      run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: sdkRoot, env: plainEnv }),
    )
    packed = (JSON.parse(stdout) as (typeof packed)[])[0]!
    await run('mkdir', [app])
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'whimsy-app', private: true, type: 'module' }))
    await timed('install', () =>
      run('npm', ['install', join(work, packed.filename), typesNode, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, env: plainEnv }),
    )
  }, 120_000)

  afterAll(() => {
    console.log(`[package.test] ms: ${JSON.stringify(timings)}`)
    rmSync(work, { recursive: true, force: true })
  })

  it('ships dist only, with every export present, and installs without any other @whimsy package', () => {
    const paths = packed.files.map((f) => f.path)
    expect(paths.filter((p) => !p.startsWith('dist/')).sort()).toEqual(['README.md', 'package.json'])
    expect(paths.filter((p) => /\.test\.|\/test\//.test(p))).toEqual([])
    const installed = join(app, 'node_modules/@whimsy/sdk')
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string | null> | string>
      dependencies: Record<string, string>
    }
    for (const [subpath, conditions] of Object.entries(manifest.exports)) {
      if (typeof conditions === 'string') continue
      for (const target of Object.values(conditions)) if (target) expect(existsSync(join(installed, target)), `${subpath} → ${target}`).toBe(true)
      expect(existsSync(join(installed, `${conditions.import}.map`)), `${subpath} has a source map`).toBe(true)
    }
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@whimsy/'))).toEqual([])
    expect(existsSync(join(app, 'node_modules/@whimsy/sites'))).toBe(false)
  })

  it('type-checks an app against the installed types and runs it in Node against the local cloud', async () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG))
    writeFileSync(
      join(app, 'cloud.ts'),
      `export const configJson = ${JSON.stringify(JSON.stringify(cloud.config))}\nexport const mailbox = ${JSON.stringify(cloud.urls.mailbox)}\n`,
    )
    writeFileSync(join(app, 'app.ts'), APP)
    await timed('tsc', () =>
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).catch((e: { stdout?: string }) => {
        throw new Error(`tsc failed:\n${e.stdout}`)
      }),
    )

    // Types stripped, nothing bundled: Node loads the installed package itself.
    for (const name of ['app', 'cloud']) {
      const { code } = await transform(readFileSync(join(app, `${name}.ts`), 'utf8'), { loader: 'ts', format: 'esm' })
      writeFileSync(join(app, `${name}.js`), code)
    }
    const node = async (...args: string[]) => {
      const { stdout } = await run(process.execPath, ['app.js', ...args], { cwd: app, timeout: 20_000 })
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
    }
    const username = uniqueName('packed')
    expect(await timed('sign-up', () => node('sign-up', username))).toEqual({ confirmed: false, mailbox: cloud.urls.mailbox })
    const code = await latestCode(cloud, username)
    expect(await timed('sign-in', () => node('sign-in', username, code))).toEqual({ username, text: 'Hello from a packed SDK' })
    expect(await timed('restore', () => node('restore'))).toEqual({ username, text: 'Hello from a packed SDK', missing: 'NotFound' })
  }, 60_000)

  it("an app's bundler takes the browser entries, which load with a page's globals alone, and refuses /node", async () => {
    writeFileSync(join(app, 'page.js'), "import { createWhimsy } from '@whimsy/sdk'\nglobalThis.whimsy = createWhimsy\n")
    writeFileSync(join(app, 'page-node.js'), "import { fileStorage } from '@whimsy/sdk/node'\nglobalThis.f = fileStorage\n")
    const page = await timed('bundle', () =>
      build({ entryPoints: [join(app, 'page.js')], absWorkingDir: app, bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent' }),
    )
    expect(page.warnings.map((w) => w.text)).toEqual([])
    // A page's globals, without Node's `global` (which buffer@4 once needed, through
    // amazon-cognito-identity-js and then lib-storage; the SDK now uses neither).
    const { URL, TextEncoder, TextDecoder, crypto, setTimeout, clearTimeout, fetch, Headers } = globalThis
    const aPage = () => {
      const window = createContext({ URL, TextEncoder, TextDecoder, crypto, setTimeout, clearTimeout, fetch, Headers, navigator: { userAgent: 'test' } })
      runInContext('globalThis.self = globalThis.window = globalThis', window)
      return window
    }
    const code = page.outputFiles[0]!.text
    const window = aPage()
    runInContext(code, window)
    expect(runInContext('typeof whimsy', window)).toBe('function')
    expect(runInContext('typeof global', window)).toBe('undefined') // no shim defines it any more
    const refused = await build({
      entryPoints: [join(app, 'page-node.js')],
      absWorkingDir: app,
      bundle: true,
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    }).then(
      () => 'bundled',
      (e: { errors: { text: string }[] }) => e.errors.map((x) => x.text).join('\n'),
    )
    expect(refused).toBe('Could not resolve "@whimsy/sdk/node"') // its `browser` condition is null
  })
})
