/**
 * What `auth.deleteAccount` does before the account goes: the trusted erase function removes
 * every file version, delete marker, unfinished upload, key-value item and the handle (a user's
 * own credentials may not delete versions), and this device forgets the uploads it remembered.
 * Loaded only then.
 */
import { eraseAccount } from './auth/account-erase.js'
import { forgetPendingUpload, pendingUploads } from './fs/multipart-upload.js'
import type { WhimsyContext } from './whimsy-context.js'

export async function deleteUserData(context: WhimsyContext): Promise<void> {
  const { auth, config, storage } = context
  const { identityId } = await auth.credentials()
  await eraseAccount(config.handlesApi, await auth.idToken())
  for (const { storageKey, record } of pendingUploads(storage)) if (record.key.startsWith(`${identityId}/`)) forgetPendingUpload(storage, storageKey)
}
