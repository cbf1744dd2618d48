/**
 * The one Whimsy client and the signed-in user, as signals the screens read. The SDK owns the
 * session (restored from localStorage on load); this only mirrors `auth.onChange`.
 */
import { signal } from '@preact/signals'
import { createWhimsy, type Whimsy, type WhimsyUser } from '@whimsy/sdk'
import type { AppConfig } from '../config.js'

let client: Whimsy | undefined
export const user = signal<WhimsyUser | null>(null)
/** Set when the session ended by itself (expired, signed out elsewhere): the view stays, a sign-in dialog opens over it. */
export const sessionLost = signal(false)
export const mailbox = signal<string | undefined>(undefined)
export const ready = signal(false)

export function whimsy(): Whimsy {
  if (!client) throw new Error('The Whimsy client is not set up yet.')
  return client
}

export async function startSession(config: AppConfig): Promise<void> {
  client = createWhimsy(config.whimsy)
  mailbox.value = config.mailbox
  client.auth.onChange((u, change) => {
    if (change === 'sessionLost') sessionLost.value = true
    else if (u) sessionLost.value = false
    // A lost session keeps the user's view (and queued uploads) until they sign in again.
    if (change !== 'sessionLost') user.value = u
  })
  user.value = await client.auth.ready
  ready.value = true
}
