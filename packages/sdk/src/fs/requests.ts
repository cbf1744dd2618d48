/** The S3 calls the `fs` verbs share: with fresh credentials and one error mapping, HEAD, a whole prefix listed. */
import { toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import { nameOf } from '../paths.js'
import { HeadObjectCommand, type HeadObjectCommandOutput, ListObjectsV2Command } from '../transport/s3/objects.js'
import type { WhimsyContext } from '../whimsy-context.js'
import type { FileInfo } from './types.js'
import { decodeListedKey } from './xml-keys.js'

export function run<T>(ctx: WhimsyContext, what: string, call: () => Promise<T>): Promise<T> {
  return ctx.auth.withCredentials(call).catch((e: unknown) => {
    throw toWhimsyError(e, what)
  })
}

/** HeadObject, or undefined when there is no such file. */
export async function head(ctx: WhimsyContext, key: string, label: string, signal?: AbortSignal): Promise<HeadObjectCommandOutput | undefined> {
  try {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
    return await run(ctx, label, () => ctx.s3.send(new HeadObjectCommand({ Bucket: ctx.config.bucket, Key: key }), { abortSignal: signal }))
  } catch (e) {
    if (e instanceof WhimsyError && e.code === 'NotFound') return undefined
    throw e
  }
}

/** Every key under a folder prefix (markers included), with sizes and ETags. */
export async function allKeys(
  ctx: WhimsyContext,
  prefix: string,
  label: string,
  signal?: AbortSignal,
): Promise<{ key: string; size: number; etag?: string }[]> {
  const keys: { key: string; size: number; etag?: string }[] = []
  let token: string | undefined
  do {
    const page = await run(ctx, label, () =>
      ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.config.bucket, Prefix: prefix, ContinuationToken: token, EncodingType: 'url' }), {
        abortSignal: signal,
      }),
    )
    for (const o of page.Contents ?? []) if (o.Key) keys.push({ key: decodeListedKey(o.Key, page.EncodingType), size: o.Size ?? 0, etag: o.ETag })
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return keys
}

export function fileInfo(path: string, key: string, head: HeadObjectCommandOutput): FileInfo {
  return {
    name: nameOf(path),
    path,
    key,
    type: 'file',
    size: Number(head.ContentLength ?? 0),
    modified: head.LastModified,
    etag: head.ETag,
    contentType: head.ContentType,
    metadata: head.Metadata ?? {},
  }
}

/**
 * A conditional call's NotFound as the `Conflict` it is: `ifMatch` names a version, and a file
 * deleted since no longer has it (S3 answers 404 NoSuchKey, not 412).
 */
export function lostRace(e: unknown, label: string): unknown {
  if (!(e instanceof WhimsyError) || e.code !== 'NotFound') return e
  return new WhimsyError('Conflict', `${label} is no longer at that version: it was deleted meanwhile.`, { cause: e.cause, status: 412 })
}
