/**
 * What `auth.deleteAccount` deletes before the account goes: every file, every key-value item,
 * the parts of interrupted uploads this device remembers, and the handle. Loaded only then.
 */
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3'
import { deleteAllItems, deleteAllObjects } from './account-data.js'
import { createDynamoDbClient } from './dynamodb-client.js'
import { forgetPendingUpload, pendingUploads } from './multipart-upload.js'
import type { WhimsyContext } from './whimsy-context.js'

export async function deleteUserData(context: WhimsyContext): Promise<void> {
  const { auth, config, storage } = context
  const { identityId } = await auth.credentials()
  // Parts of interrupted uploads are invisible to listings (and users may not list
  // uploads): abort the ones this device remembers, so no bytes of the user outlive them.
  for (const { storageKey, record } of pendingUploads(storage)) {
    if (!record.key.startsWith(`${identityId}/`)) continue
    await auth
      .withCredentials(() => context.s3.send(new AbortMultipartUploadCommand({ Bucket: config.bucket, Key: record.key, UploadId: record.uploadId })))
      .catch(() => {})
    forgetPendingUpload(storage, storageKey)
  }
  await auth.withCredentials(() => deleteAllObjects(context.s3, config.bucket, identityId))
  // The AWS SDK's document client, only here: batch deletes of whole items, once per account.
  const ddb = createDynamoDbClient(config, auth.credentialProvider())
  await auth.withCredentials(() => deleteAllItems(ddb, config.table, identityId))
  await context.handles.release(await auth.idToken()).catch(() => {})
}
