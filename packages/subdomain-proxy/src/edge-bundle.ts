/**
 * Builds the Lambda@Edge function into one ESM file with esbuild. Lambda@Edge has no
 * environment variables, so the configuration is compiled in.
 *
 *   npm run build:edge -w @whimsy/sites -- --sites-domain whimsy.space --handles-api https://….lambda-url.us-east-1.on.aws
 *   → packages/subdomain-proxy/dist/lambda-edge.mjs
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { checkEdgeConfig } from './edge-config.js'
import type { EdgeConfig } from './lambda-edge.js'

const ENTRY = fileURLToPath(new URL('./edge-entry.ts', import.meta.url))

export interface EdgeBundle {
  code: string
  bytes: number
}

/** The bundle as a string (`outfile` unset) or written to `outfile`. */
export async function buildEdgeBundle(config: EdgeConfig, outfile?: string): Promise<EdgeBundle> {
  const checked = checkEdgeConfig(config)
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    define: { __WHIMSY_EDGE_CONFIG__: JSON.stringify(checked) },
    write: false,
    outfile: outfile ?? 'lambda-edge.mjs',
  })
  const file = result.outputFiles[0]
  if (!file) throw new Error('esbuild produced no output')
  if (outfile) {
    const { mkdirSync, writeFileSync } = await import('node:fs')
    const { dirname } = await import('node:path')
    mkdirSync(dirname(outfile), { recursive: true })
    writeFileSync(outfile, file.contents)
  }
  return { code: file.text, bytes: file.contents.length }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'sites-domain': { type: 'string' },
      'handles-api': { type: 'string' },
      out: { type: 'string', default: fileURLToPath(new URL('../dist/lambda-edge.mjs', import.meta.url)) },
    },
  })
  const config = { sitesDomain: values['sites-domain'] ?? '', handlesApi: values['handles-api'] ?? '' }
  const bundle = await buildEdgeBundle(config, values.out)
  const { gzipSync } = await import('node:zlib')
  console.log(`${values.out}: ${bundle.bytes} bytes (${gzipSync(bundle.code).length} gzipped)`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}
