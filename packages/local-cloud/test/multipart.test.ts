/**
 * Multipart uploads through the gateway, including what s3rver lacks (ListParts,
 * AbortMultipartUpload, ListMultipartUploads, refusing parts for unknown uploads).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { adminS3, createUser, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
const PART = 5 * 1024 * 1024
let alice: TestUser
let bob: TestUser

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([createUser(cloud, 'mp-alice'), createUser(cloud, 'mp-bob')])
})

const errorName = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: Error) => e.name,
  )

describe('multipart uploads', () => {
  it('lists the parts of an upload in progress, and completes it', async () => {
    const Key = `${alice.identityId}/big.bin`
    const { UploadId } = await alice.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))
    const one = await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(PART, 1) }))
    const two = await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: Buffer.from('tail') }))
    const listed = await alice.s3.send(new ListPartsCommand({ Bucket, Key, UploadId }))
    expect(listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      [1, one.ETag, PART],
      [2, two.ETag, 4],
    ])
    await alice.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: one.ETag },
            { PartNumber: 2, ETag: two.ETag },
          ],
        },
      }),
    )
    const got = await alice.s3.send(new GetObjectCommand({ Bucket, Key }))
    expect(Number(got.ContentLength)).toBe(PART + 4)
    // Completed: the upload id is gone.
    expect(await errorName(alice.s3.send(new ListPartsCommand({ Bucket, Key, UploadId })))).toBe('NoSuchUpload')
  })

  it('aborts an upload: its parts are gone, and later parts for it are refused', async () => {
    const Key = `${alice.identityId}/aborted.bin`
    const { UploadId } = await alice.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))
    await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 2) }))
    const pending = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket, Prefix: `${alice.identityId}/` }))
    expect(pending.Uploads?.map((u) => u.UploadId)).toContain(UploadId)

    await alice.s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
    const after = await adminS3(cloud).send(new ListMultipartUploadsCommand({ Bucket, Prefix: `${alice.identityId}/` }))
    expect(after.Uploads?.map((u) => u.UploadId) ?? []).not.toContain(UploadId)
    expect(await errorName(alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'x' })))).toBe('NoSuchUpload')
    expect(await errorName(alice.s3.send(new GetObjectCommand({ Bucket, Key })))).toBe('NoSuchKey')
  })

  it("refuses another user's listing, abort and parts of an upload", async () => {
    const Key = `${alice.identityId}/private-upload.bin`
    const { UploadId } = await alice.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))
    expect(await errorName(bob.s3.send(new ListPartsCommand({ Bucket, Key, UploadId })))).toBe('AccessDenied')
    expect(await errorName(bob.s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })))).toBe('AccessDenied')
    expect(await errorName(bob.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'x' })))).toBe('AccessDenied')
    // Users may not list the bucket's uploads at all (the role grants no s3:ListBucketMultipartUploads).
    expect(await errorName(alice.s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: `${alice.identityId}/` })))).toBe('AccessDenied')
    // An upload id used with another key is not that upload.
    expect(await errorName(alice.s3.send(new ListPartsCommand({ Bucket, Key: `${alice.identityId}/other.bin`, UploadId })))).toBe('NoSuchUpload')
    await alice.s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
  })
})
