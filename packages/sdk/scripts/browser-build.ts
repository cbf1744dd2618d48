/**
 * The browser build of the SDK: one self-contained ES module, `dist/browser/whimsy.js`, whose
 * nouns load as chunks beside it on first use (esbuild `splitting`), for a plain page that
 * imports it by URL (the local cloud serves it at `/sdk/<version>/whimsy.js`).
 *
 * `ensureBrowserBuild()` rebuilds only when the sources changed since the last build (a
 * fingerprint of the SDK's source files, its package.json, this script and the lock file is
 * kept in `dist/browser/build.json`), so starting the local cloud on a fresh clone needs no
 * manual step and a second start costs a few file reads. The build lands in a temporary folder
 * first and is renamed into place, so a reader never sees half of one.
 *
 * `tsx scripts/browser-build.ts` builds it by hand (`npm run build` does too).
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(root, 'dist', 'browser')
const MANIFEST = 'build.json'
/**
 * Beside the build, not in it (nothing serves it): which sources each file of the build holds,
 * from esbuild's metafile, so a test can tell what a page's requests downloaded.
 */
export const BROWSER_INPUTS = join(root, 'dist', 'browser-inputs.json')
export const BROWSER_ENTRY = 'whimsy.js'

export interface BrowserBuildManifest {
  version: string
  fingerprint: string
  entry: string
  /** Every file of the build, the entry among them (source maps included). */
  files: string[]
}

export interface BrowserBuild extends BrowserBuildManifest {
  dir: string
}

/** A metafile path (relative to the package, the build's working directory) as a path from the repository root. */
function fromRepositoryRoot(input: string): string {
  return input.includes(':') ? input : relative(join(root, '../..'), resolve(root, input))
}

function sdkVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
}

/** What the build depends on; a change to any of these makes the build stale. */
function fingerprint(): string {
  const hash = createHash('sha256')
  const sources = (readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(root, 'src', f))
  const lock = join(root, '../../package-lock.json')
  for (const file of [...sources, join(root, 'package.json'), fileURLToPath(import.meta.url), ...(existsSync(lock) ? [lock] : [])]) {
    hash.update(file.slice(root.length))
    hash.update('\0')
    hash.update(readFileSync(file))
    hash.update('\0')
  }
  return hash.digest('hex')
}

function readManifest(dir: string): BrowserBuildManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BrowserBuildManifest
  } catch {
    return undefined
  }
}

/** Builds `dist/browser/` now, whatever is there. */
export async function buildBrowser(): Promise<BrowserBuild> {
  const version = sdkVersion()
  const print = fingerprint()
  const temp = `${OUT}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  mkdirSync(dirname(OUT), { recursive: true })
  try {
    const result = await build({
      entryPoints: { whimsy: join(root, 'src', 'index.ts') },
      outdir: temp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: true,
      // Hashed names: a chunk's URL names its bytes, so it can be cached for good.
      chunkNames: 'chunk-[hash]',
      metafile: true,
      // The same working directory whoever builds (the local cloud from the root, `npm run build`
      // from the package): paths, and so chunk names, do not depend on where the build ran.
      absWorkingDir: root,
      logLevel: 'warning',
    })
    const files = Object.keys(result.metafile.outputs).map((p) => p.slice(p.lastIndexOf('/') + 1))
    const inputs = Object.fromEntries(
      Object.entries(result.metafile.outputs)
        .filter(([p]) => p.endsWith('.js'))
        .map(([p, o]) => [p.slice(p.lastIndexOf('/') + 1), Object.keys(o.inputs).map(fromRepositoryRoot)]),
    )
    const manifest: BrowserBuildManifest = { version, fingerprint: print, entry: BROWSER_ENTRY, files: files.sort() }
    writeFileSync(join(temp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
    writeFileSync(BROWSER_INPUTS, `${JSON.stringify(inputs)}\n`)
    rmSync(OUT, { recursive: true, force: true })
    try {
      renameSync(temp, OUT)
    } catch (e) {
      // Another process (a second local cloud) put its build there first: the same sources
      // give the same build, so theirs will do.
      if (readManifest(OUT)?.fingerprint !== print) throw e
    }
    return { ...manifest, dir: OUT }
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

/** The current browser build, built first if missing or older than the sources. */
export async function ensureBrowserBuild(): Promise<BrowserBuild> {
  const existing = readManifest(OUT)
  if (
    existing &&
    existing.version === sdkVersion() &&
    existing.fingerprint === fingerprint() &&
    existing.files.every((f) => existsSync(join(OUT, f))) &&
    existsSync(BROWSER_INPUTS)
  )
    return { ...existing, dir: OUT }
  return buildBrowser()
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildBrowser()
  console.log(`dist/browser: ${built.files.length} files for @whimsy/sdk ${built.version}`)
}
