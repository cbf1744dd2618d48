/**
 * `npm run build -w @whimsy/sdk`: writes `dist/` — one ESM file per source file (esbuild), its
 * source map, and `.d.ts` types (tsc; TypeScript 7 emits declarations without a compiler API).
 *
 * Per file, not one bundle per entry: `dist/` mirrors `src/`, so an app's bundler drops whole
 * modules it does not use and maps errors to the file they came from.
 *
 * Dependencies stay imports, except the rules shared with the sites package, which is not
 * published — `@whimsy/sites/handles` (handles), `@whimsy/sites/content-types`, `/key-uris` and
 * `/identity-provider`: each is copied
 * once into `dist/sites-<name>.js` and imports of it are rewritten, so the tarball installs on its own.
 *
 * Last, `dist/browser/`: the self-contained build a plain page imports by URL (browser-build.ts).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { buildBrowser } from './browser-build.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
/** Shared modules of the sites package → their copy in `dist/`. */
const SHARED_RULES: Record<string, string> = {
  '@whimsy/sites/handles': 'sites-handles',
  '@whimsy/sites/content-types': 'sites-content-types',
  '@whimsy/sites/key-uris': 'sites-key-uris',
  '@whimsy/sites/identity-provider': 'sites-identity-provider',
}

const sources = (readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }) as string[])
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => ({ in: join(root, 'src', file), out: file.replace(/\.ts$/, '') }))

/** Every import stays an import; the shared rules point at their copy in `dist/`. */
const keepImports: Plugin = {
  name: 'keep-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined
      const copy = Object.hasOwn(SHARED_RULES, args.path) ? SHARED_RULES[args.path] : undefined
      if (copy) {
        const from = dirname(join(dist, relative(join(root, 'src'), args.importer)))
        const to = relative(from, join(dist, `${copy}.js`))
        return { path: to.startsWith('.') ? to : `./${to}`, external: true }
      }
      return { path: args.path, external: true }
    })
  },
}

rmSync(dist, { recursive: true, force: true })
await build({
  entryPoints: [...sources, ...Object.entries(SHARED_RULES).map(([module, out]) => ({ in: fileURLToPath(import.meta.resolve(module)), out }))],
  outdir: dist,
  bundle: true, // only so the plugin sees each import; it marks every one external
  plugins: [keepImports],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  sourcesContent: true, // the tarball ships no src/: maps carry the source themselves
  logLevel: 'warning',
})
execFileSync(process.execPath, [join(root, '../../node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })

// The tarball must not import an unpublished workspace package (naming itself is fine).
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }) as string[]) {
  if (!/\.(js|d\.ts)$/.test(file)) continue
  const text = readFileSync(join(dist, file), 'utf8')
  const leak = /(?:from|import)\s*\(?\s*["'](@whimsy\/(?!sdk\b)[^"']+)["']/.exec(text)
  if (leak) throw new Error(`dist/${file} imports ${leak[1]}, which is not published: bundle or move it`)
}
await buildBrowser()
