/**
 * Bundles Lambda code with the repo's esbuild at synth, into a folder that becomes the asset.
 * Written here rather than `NodejsFunction` because that construct falls back to Docker when
 * it cannot find esbuild the way it expects, and synth must run with no Docker and no network.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'

const INFRA_ROOT = fileURLToPath(new URL('..', import.meta.url))
export const REPO_ROOT = join(INFRA_ROOT, '..')
const BUNDLE_ROOT = join(INFRA_ROOT, 'dist', 'bundles')

export interface BundleOptions {
  /** Entry file, relative to the repo root. */
  entry: string
  /** Asset folder name under `infra/dist/bundles/`. */
  name: string
  /** Compile-time constants (Lambda@Edge has no environment variables). */
  define?: Record<string, unknown>
}

export interface Bundle {
  /** Folder holding `index.mjs`: give it to `Code.fromAsset`. */
  dir: string
  bytes: number
  sha256: string
}

export function bundleLambda({ entry, name, define = {} }: BundleOptions): Bundle {
  const result = buildSync({
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    platform: 'node',
    // The code runs on Lambda's Node 22 runtime and on CI's Node 20: only what both offer.
    target: 'node20',
    format: 'esm',
    // ES module builds first, so esbuild can drop what is unused: the edge bundle is 42 kB
    // instead of 172 kB (most of @smithy/core goes), the claim function 373 kB instead of 578 kB.
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __whimsyRequire } from 'node:module'; const require = __whimsyRequire(import.meta.url);" },
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
    write: false,
    outfile: 'index.mjs',
    logLevel: 'silent',
  })
  const file = result.outputFiles[0]
  if (!file) throw new Error(`esbuild produced no output for ${entry}`)
  const dir = join(BUNDLE_ROOT, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.mjs'), file.contents)
  return { dir, bytes: file.contents.length, sha256: createHash('sha256').update(file.contents).digest('hex') }
}

export function infraPath(...parts: string[]): string {
  return join(INFRA_ROOT, ...parts)
}
