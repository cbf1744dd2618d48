/**
 * What a local cloud must remember across restarts besides the emulators' data: its signing
 * secret, the administrator key and the ids of what it created. Kept in `<dataDir>/state.json`.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AdminKey } from './authenticate.js'

export interface LocalCloudState {
  version: 1
  /** Seals session tokens and derives identity ids; hex. */
  secret: string
  admin: AdminKey
  identityPoolId: string
  userPoolId?: string
  userPoolClientId?: string
}

export function loadState(dataDir: string, region: string): LocalCloudState {
  const file = join(dataDir, 'state.json')
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalCloudState
  const state: LocalCloudState = {
    version: 1,
    secret: randomBytes(32).toString('hex'),
    admin: { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') },
    identityPoolId: `${region}:${randomUUID()}`,
  }
  saveState(dataDir, state)
  return state
}

export function saveState(dataDir: string, state: LocalCloudState): void {
  writeFileSync(join(dataDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
}
