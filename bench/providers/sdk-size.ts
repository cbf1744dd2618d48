/**
 * SDK size (issues 12 and 17): each entry under `bench/size/` bundled in this run the way
 * issue 12 measured it — esbuild `--bundle --minify --format=esm --platform=browser`, then
 * gzip -9 — for @whimsy/sdk, AWS Amplify v6 and the raw AWS SDK v3 + amazon-cognito-identity-js.
 * Ratios are against Amplify. The signed-out first load is the job app bundled with
 * `splitting: true`: the entry chunk plus the chunks it imports statically, i.e. what a page
 * fetches before any lazily loaded noun.
 */
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'
import { type BenchOptions, type BenchRow, row, rowList, unavailable } from '../rows.js'

const entry = (name: string) => new URL(`../size/${name}.ts`, import.meta.url).pathname
const gzip = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length

interface Size {
  gzip: number
  minified: number
}

const common = { bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' } as const

/** The whole app in one file: what it downloads in all. */
async function bundleSize(name: string): Promise<Size> {
  const out = await build({ ...common, entryPoints: [entry(name)], outfile: `/virtual/${name}.js` })
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))?.contents ?? new Uint8Array()
  return { gzip: gzip(js), minified: js.length }
}

/**
 * With code splitting: the entry chunk and every chunk it imports statically (what a page loads
 * before any `import()`), or with `lazy` also every chunk reachable through `import()` (what the job loads in all).
 */
async function splitSize(name: string, lazy: boolean | readonly string[] = false): Promise<Size & { chunks: number }> {
  // Metafile paths are relative to the working directory; outputFiles' are absolute.
  const out = await build({
    ...common,
    entryPoints: [entry(name)],
    outdir: resolve('bench/.split'),
    splitting: true,
    metafile: true,
    absWorkingDir: process.cwd(),
  })
  const meta = out.metafile as Metafile
  const byPath = new Map(out.outputFiles.map((f) => [f.path, f.contents]))
  const outputs = Object.entries(meta.outputs)
  // The app's own entry: the chunks of `import()` targets carry an entryPoint too.
  const start = outputs.find(([, o]) => o.entryPoint?.endsWith(`bench/size/${name}.ts`))?.[0]
  // `lazy` as a list: only the `import()`s of those sources, i.e. what one use loads at run time.
  const follows = (path: string) => lazy === true || (Array.isArray(lazy) && lazy.some((source) => meta.outputs[path]?.entryPoint?.endsWith(source)))
  const loaded = new Set<string>()
  const visit = (path: string) => {
    if (loaded.has(path)) return
    loaded.add(path)
    for (const imp of meta.outputs[path]?.imports ?? [])
      if (!imp.external && (imp.kind === 'import-statement' || (imp.kind === 'dynamic-import' && follows(imp.path)))) visit(imp.path)
  }
  if (start) visit(start)
  let size = { gzip: 0, minified: 0 }
  for (const path of loaded) {
    const js = byPath.get(resolve(path)) ?? new Uint8Array()
    size = { gzip: size.gzip + gzip(js), minified: size.minified + js.length }
  }
  return { ...size, chunks: loaded.size }
}

const kB = (s: Size) => `${(s.minified / 1000).toFixed(0)} kB minified`

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const out = rowList(options)
  const sizes = new Map<string, Size>()
  const size = async (name: string) => {
    const known = sizes.get(name)
    if (known) return known
    options.log(`  bundling ${name}`)
    const s = await bundleSize(name)
    sizes.set(name, s)
    return s
  }
  const compare = async (what: string, ours: string | (() => Promise<Size & { chunks?: number }>), baseline: string, baselineName: string) => {
    try {
      const o = typeof ours === 'string' ? await size(ours) : await ours()
      const b = await size(baseline)
      const n = 'chunks' in o ? Number(o.chunks) : 0
      const chunks = n ? `, ${n} chunk${n > 1 ? 's' : ''}` : ', one file'
      out.push(row(`${what} vs ${baselineName}`, o.gzip, b.gzip, 'B gzip', 1, `${kB(o)}${chunks} vs ${kB(b)}, one file`))
    } catch (e) {
      out.push(unavailable(`${what} vs ${baselineName}`, 'B gzip', `bundle failed: ${(e as Error).message.split('\n')[0]}`))
    }
  }
  // Every row says how @whimsy/sdk is bundled. One file (no code splitting) is what the SDK
  // could load in all; an app that uses only sign-in, kv or fs downloads much less, because the
  // nouns load on first call (lazy-noun.ts) — those rows are measured with splitting, as a page
  // loads them, never as one file (which would charge a kv-only app for fs). Amplify and the raw
  // AWS SDK import everything statically: one file is what they load either way.
  await compare('the job app as one file (no code splitting), @whimsy/sdk', 'whimsy-job', 'amplify-job', 'Amplify v6 (Auth + Storage + DynamoDB client)')
  await compare('the job app as one file, raw AWS SDK v3 + amazon-cognito-identity-js', 'raw-job', 'amplify-job', 'Amplify v6')
  await compare(
    'the job app with code splitting, signed out (its first load), @whimsy/sdk',
    () => splitSize('whimsy-job'),
    'amplify-signin',
    'Amplify v6 sign-in only',
  )
  await compare('the job app with code splitting, everything it loads once used, @whimsy/sdk', () => splitSize('whimsy-job', true), 'amplify-job', 'Amplify v6')
  // What each use downloads with splitting: the first load plus the chunks of the SDK's own
  // `import()`s that use reaches at run time.
  const SIGN_IN = [
    'packages/sdk/src/auth/auth.ts',
    'packages/sdk/src/auth/session.ts',
    'packages/sdk/src/auth/cognito-api.ts',
    'packages/sdk/src/auth/identity-exchange.ts',
  ]
  const KV = [...SIGN_IN, 'packages/sdk/src/kv/kv.ts', 'packages/sdk/src/transport/dynamodb.ts']
  const FS = [...SIGN_IN, 'packages/sdk/src/fs/fs.ts', 'packages/sdk/src/s3-client.ts']
  await compare(
    'a sign-in-only app with code splitting, what it loads (first load + sign-in chunks), @whimsy/sdk',
    () => splitSize('whimsy-signin', SIGN_IN),
    'amplify-signin',
    'Amplify v6 sign-in only',
  )
  await compare('a sign-in-only app as one file, amazon-cognito-identity-js', 'raw-signin', 'amplify-signin', 'Amplify v6 sign-in only')
  await compare(
    'a kv-only app with code splitting, what it loads (first load + sign-in and kv chunks), @whimsy/sdk',
    () => splitSize('whimsy-kv', KV),
    'amplify-kv',
    'Amplify v6 Auth + DynamoDB client',
  )
  await compare(
    'an fs-only app with code splitting, what it loads (first load + sign-in and fs chunks), @whimsy/sdk',
    () => splitSize('whimsy-fs', FS),
    'amplify-fs',
    'Amplify v6 Auth + Storage',
  )
  return out
}
