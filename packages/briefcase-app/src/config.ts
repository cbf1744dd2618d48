/**
 * The app's configuration, read at runtime from `config.json` beside the app, so one build runs
 * against any deployment: production writes the stack's `WhimsyConfig` there, the local cloud
 * serves its own. The optional `briefcase` key carries what only the local cloud has (its mailbox).
 */
import type { WhimsyConfig } from '@whimsy/sdk'

export interface AppConfig {
  whimsy: WhimsyConfig
  /** Where confirmation codes can be read when there is no real e-mail (local cloud only). */
  mailbox?: string
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' })
  if (!res.ok) throw new Error(`The app's configuration (config.json) could not be read: HTTP ${res.status}.`)
  const { briefcase, ...whimsy } = (await res.json()) as WhimsyConfig & { briefcase?: { mailbox?: string } }
  return { whimsy, mailbox: briefcase?.mailbox }
}
