import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fileStorage } from './node.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('fileStorage', () => {
  it('keeps a session across instances (a CLI run after run), private to the user', () => {
    const dir = mkdtempSync(join(tmpdir(), 'whimsy-session-'))
    dirs.push(dir)
    const path = join(dir, 'nested', 'session.json')
    const first = fileStorage(path)
    first.setItem('token', 'abc')
    first.setItem('other', 'x')
    first.removeItem('other')
    const second = fileStorage(path)
    expect(second.getItem('token')).toBe('abc')
    expect(second.getItem('other')).toBeNull()
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ token: 'abc' })
    expect(statSync(path).mode & 0o077).toBe(0)
    second.clear()
    expect(fileStorage(path).getItem('token')).toBeNull()
  })

  it('starts signed out when the file is missing or unreadable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'whimsy-session-'))
    dirs.push(dir)
    expect(fileStorage(join(dir, 'none.json')).getItem('token')).toBeNull()
  })
})
