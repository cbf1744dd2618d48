/**
 * Test accounts made through the SDK itself: sign up, confirm with the code from the local
 * mailbox, sign in. Each user gets its own `Whimsy` and session storage.
 */
import { randomUUID } from 'node:crypto'
import type { CloudInfo } from '../../../test/cloud-info.js'
import { latestCode, PASSWORD } from '../../../test/users.js'
import { createWhimsy, memoryStorage, type SessionStorage, type Whimsy, type WhimsyOptions } from '../src/index.js'

export { PASSWORD }

export function uniqueName(prefix = 'sdk'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

/** A signed-up, confirmed, signed-in user with its own storage. */
export async function signedInWhimsy(
  cloud: CloudInfo,
  prefix = 'sdk',
  options: WhimsyOptions = {},
): Promise<{ whimsy: Whimsy; username: string; storage: SessionStorage }> {
  const storage = options.storage ?? memoryStorage()
  const whimsy = createWhimsy(cloud.config, { ...options, storage })
  const username = uniqueName(prefix)
  await whimsy.auth.signUp({ username, email: `${username}@example.com`, password: PASSWORD })
  await whimsy.auth.confirmSignUp({ username, code: await latestCode(cloud, username) })
  await whimsy.auth.signIn({ username, password: PASSWORD })
  return { whimsy, username, storage }
}
