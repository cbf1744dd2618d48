/**
 * Pay for what you use (issue 12): what a browser downloads for each use of the SDK, read from
 * esbuild's metafile of the same build as the browser build (splitting, ESM, minified), and the
 * facades' rule that only promise-returning methods are forwarded.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { Auth } from '../src/auth/auth.js'
import { Files } from '../src/fs/fs.js'
import { KeyValue, KeyValueStore } from '../src/kv/kv.js'
import { Profiles } from '../src/profile/profile.js'

const src = (file: string) => fileURLToPath(new URL(`../src/${file}`, import.meta.url))
let outputs: Metafile['outputs']
let byEntry: Map<string, string>

beforeAll(async () => {
  const result = await build({
    entryPoints: [src('index.ts')],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    outdir: '/nowhere', // not written
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  outputs = result.metafile.outputs
  byEntry = new Map(Object.entries(outputs).flatMap(([out, o]) => (o.entryPoint ? [[o.entryPoint, out] as const] : [])))
  const texts = new Map(result.outputFiles.map((f) => [f.path, f.contents]))
  gzipOf = (out) => gzipSync(texts.get(`/nowhere/${out.split('/').at(-1)}`) ?? new Uint8Array(), { level: 9 }).length
}, 60_000)
let gzipOf: (out: string) => number

/** The output files a chunk needs before it runs (its static imports, transitively). */
function staticClosure(entrySource: string): Set<string> {
  const start = byEntry.get(entrySource)
  if (!start) throw new Error(`no chunk for ${entrySource}: ${[...byEntry.keys()].join(', ')}`)
  const seen = new Set<string>()
  const todo = [start]
  while (todo.length) {
    const out = todo.pop() as string
    if (seen.has(out)) continue
    seen.add(out)
    for (const i of outputs[out]?.imports ?? []) if (i.kind === 'import-statement' && outputs[i.path]) todo.push(i.path)
  }
  return seen
}

function packagesIn(closure: Set<string>): Set<string> {
  const packages = new Set<string>()
  for (const out of closure)
    for (const input of Object.keys(outputs[out]?.inputs ?? {})) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
      packages.add(m ? (m[1] as string) : input.replace(/.*packages\/sdk\/src\//, 'sdk:'))
    }
  return packages
}

const sourceKey = (file: string) => [...byEntry.keys()].find((k) => k.endsWith(`packages/sdk/src/${file}`)) ?? file

describe('what each use downloads', () => {
  it('a signed-out page loads no AWS client and no sign-in library, in a first load under 42 kB gzip', () => {
    const first = staticClosure(sourceKey('index.ts'))
    const packages = packagesIn(first)
    for (const heavy of ['@aws-sdk/client-s3', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-storage', 'amazon-cognito-identity-js', '@smithy/core'])
      expect(packages, heavy).not.toContain(heavy)
    for (const noun of ['sdk:fs/fs.ts', 'sdk:kv/kv.ts', 'sdk:profile/profile.ts', 'sdk:auth/auth.ts']) expect(packages, noun).not.toContain(noun)
    const gzip = [...first].reduce((sum, out) => sum + gzipOf(out), 0)
    expect(gzip).toBeLessThan(42_000)
  })

  it('the sign-in code is a chunk of its own, without S3 or DynamoDB', () => {
    const auth = packagesIn(staticClosure(sourceKey('auth/auth.ts')))
    // The user-pool calls over fetch and SRP of our own (issue 14): no user-pool library.
    expect(auth).toContain('sdk:auth/srp.ts')
    expect(auth).not.toContain('amazon-cognito-identity-js')
    expect(auth).not.toContain('@aws-sdk/client-s3')
    expect(auth).not.toContain('@aws-sdk/client-dynamodb')
  })

  it('key-value code never downloads S3 code, files code never DynamoDB code', () => {
    const kv = packagesIn(new Set([...staticClosure(sourceKey('kv/kv.ts')), ...staticClosure(sourceKey('transport/dynamodb.ts'))]))
    expect(kv).not.toContain('@aws-sdk/client-s3')
    expect(kv).not.toContain('amazon-cognito-identity-js')
    // kv sends through the small client: no generated AWS client at all.
    expect([...kv].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([])
    const fs = packagesIn(new Set([...staticClosure(sourceKey('fs/fs.ts')), ...staticClosure(sourceKey('s3-client.ts'))]))
    expect(fs).not.toContain('@aws-sdk/client-dynamodb')
    expect(fs).not.toContain('amazon-cognito-identity-js')
  })
})

describe('the facades', () => {
  // Methods written out by the facades (whimsy.ts, auth/facade.ts): they answer synchronously.
  const SYNC: Record<string, string[]> = {
    Files: ['list', 'publicUrl', 'upload', 'watch'],
    KeyValueStore: ['list', 'watch'],
    KeyValue: ['list', 'app', 'watch'],
    Profiles: ['avatarUrl'],
    Auth: ['onChange', 'update', 'credentialProvider', 'credentials', 'refreshCredentials', 'withCredentials'],
  }
  // Not `async`, but they return a promise, so forwarding them is right.
  const RETURN_PROMISES: Record<string, string[]> = { Files: ['write', 'upload'], Auth: ['credentials', 'refreshCredentials', 'idToken'] }
  // Called by the internal session on the loaded object, never through the facade.
  const INTERNAL: Record<string, string[]> = { Auth: ['sessionLost'] }

  it.each([
    ['Files', Files],
    ['KeyValueStore', KeyValueStore],
    ['KeyValue', KeyValue],
    ['Profiles', Profiles],
    ['Auth', Auth],
  ] as const)('%s: every method that does not return a promise is answered by its facade', (name, cls) => {
    const proto = cls.prototype as unknown as Record<string, unknown>
    const methods = new Set<string>()
    for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p))
      for (const key of Object.getOwnPropertyNames(p)) {
        const d = Object.getOwnPropertyDescriptor(p, key)
        if (key !== 'constructor' && typeof d?.value === 'function' && !isPrivate(cls, key)) methods.add(key)
      }
    const unlisted = [...methods].filter(
      (m) =>
        (proto[m] as { constructor: { name: string } }).constructor.name !== 'AsyncFunction' &&
        !SYNC[name]?.includes(m) &&
        !RETURN_PROMISES[name]?.includes(m) &&
        !INTERNAL[name]?.includes(m),
    )
    expect(unlisted, 'add these to the facade (if they answer synchronously) or to RETURN_PROMISES').toEqual([])
  })
})

/** TypeScript's `private` leaves no mark at run time: read it from the class's source. */
function isPrivate(cls: { name: string }, key: string): boolean {
  const file = { Files: 'fs/fs.ts', KeyValueStore: 'kv/kv.ts', KeyValue: 'kv/kv.ts', Profiles: 'profile/profile.ts', Auth: 'auth/auth.ts' }[cls.name] ?? ''
  return new RegExp(`\\n\\s+private (?:async )?${key}\\b`).test(readFileSync(src(file), 'utf8'))
}
