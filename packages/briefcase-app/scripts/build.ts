/**
 * Builds the Briefcase into `dist/`: `index.html`, `app.js`, `app.css`, the static files production
 * serves beside its `config.json`. The local cloud runs it with `--if-stale` at start, so a fresh
 * clone needs no build step; `npm run build -w @whimsy/briefcase` prints the bundle sizes.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const APP_DIST = join(ROOT, 'dist')
const SRC = join(ROOT, 'src')
const STAMP = join(APP_DIST, '.built')

export interface BuildReport {
  /** gzip bytes of app.js, and of the part of it that is not the SDK or its dependencies. */
  jsGzip: number
  appGzip: number
  cssGzip: number
  ms: number
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const s = statSync(path)
    newest = Math.max(newest, s.isDirectory() ? newestMtime(path) : s.mtimeMs)
  }
  return newest
}

/** True when dist/ is missing or older than any source file. */
export function isStale(): boolean {
  if (!existsSync(STAMP)) return true
  return newestMtime(SRC) > statSync(STAMP).mtimeMs
}

/** Bytes the SDK and its dependencies add, from esbuild's metafile: what the app itself weighs is the rest. */
function sdkShare(meta: Metafile, output: string): number {
  const inputs = meta.outputs[output]?.inputs ?? {}
  // The app's own libraries are its package.json dependencies but the SDK (a scoped one brings its
  // scope: @preact/signals brings @preact/signals-core), so a library added is counted as the app's.
  const deps = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies)
  const own = deps.filter((d) => d !== '@whimsy/sdk').map((d) => `node_modules/${d.startsWith('@') ? d.split('/')[0] : d}/`)
  let sdk = 0
  let total = 0
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    total += bytesInOutput
    const app = path.startsWith('src/') || own.some((d) => path.includes(d))
    if (!app) sdk += bytesInOutput
  }
  return total === 0 ? 0 : sdk / total
}

export async function buildApp(): Promise<BuildReport> {
  const started = Date.now()
  mkdirSync(APP_DIST, { recursive: true })
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { app: 'src/main.tsx' },
    outdir: APP_DIST,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // The workspace's tsconfig paths map @whimsy/sdk to its sources, as tsc and vitest do.
    tsconfig: join(ROOT, '..', '..', 'tsconfig.base.json'),
    logLevel: 'silent',
    legalComments: 'none',
  })
  copyFileSync(join(SRC, 'index.html'), join(APP_DIST, 'index.html'))
  const js = readFileSync(join(APP_DIST, 'app.js'))
  const css = existsSync(join(APP_DIST, 'app.css')) ? readFileSync(join(APP_DIST, 'app.css')) : Buffer.alloc(0)
  const jsGzip = gzipSync(js).length
  const share = sdkShare(result.metafile, 'dist/app.js')
  writeFileSync(STAMP, new Date().toISOString())
  return { jsGzip, appGzip: Math.round(jsGzip * (1 - share)), cssGzip: gzipSync(css).length, ms: Date.now() - started }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // --if-stale: what the local cloud runs at start; quiet when dist/ is current.
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0)
  const r = await buildApp()
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`
  console.log(`Built dist/ in ${r.ms} ms: app.js ${kb(r.jsGzip)} gzip (the app without the SDK: ${kb(r.appGzip)}), app.css ${kb(r.cssGzip)} gzip`)
}
