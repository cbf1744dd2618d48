/**
 * The apps rule (ARCHITECTURE.md, `apps-use-only-sdk-public-exports`) for the files
 * dependency-cruiser cannot parse (.tsx: its swc parser runs without JSX). Every import of the
 * app's source is a file of the app, @whimsy/sdk or a declared subpath, or an npm package.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = dirname(fileURLToPath(import.meta.url))
const SDK_EXPORTS = new Set(['@whimsy/sdk', '@whimsy/sdk/config', '@whimsy/sdk/password-policy'])

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sources(path)
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : []
  })
}

function specifiers(text: string): string[] {
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => (m[1] ?? m[2] ?? m[3]) as string)
}

export function badImports(file: string, text: string): string[] {
  return specifiers(text).filter((spec) => {
    if (spec.startsWith('.')) return relative(SRC, resolve(dirname(file), spec)).startsWith('..')
    if (spec.startsWith('@whimsy/')) return !SDK_EXPORTS.has(spec)
    return spec.startsWith('node:') || spec.startsWith('/')
  })
}

describe('Briefcase imports', () => {
  it('reach only the app itself, the SDK public entry points and npm packages', () => {
    const files = sources(SRC)
    expect(files.some((f) => f.endsWith('.tsx'))).toBe(true)
    const bad = files.flatMap((f) => badImports(f, readFileSync(f, 'utf8')).map((spec) => `${relative(SRC, f)} → ${spec}`))
    expect(bad).toEqual([])
  })

  it('catches the imports the rule forbids', () => {
    const file = join(SRC, 'ui', 'x.tsx')
    expect(badImports(file, "import { fs } from '../../../sdk/src/fs.js'")).toHaveLength(1)
    expect(badImports(file, "import { x } from '@whimsy/sdk/src/fs.js'")).toHaveLength(1)
    expect(badImports(file, "import { y } from '@whimsy/local-cloud'")).toHaveLength(1)
    expect(badImports(file, "import { z } from '../state/folder.js'\nimport { h } from 'preact'\nimport { w } from '@whimsy/sdk'")).toEqual([])
  })
})
