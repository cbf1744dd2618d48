/** `fs.shareUrl`: presigned GET links, which live no longer than the credentials that sign them. */
import { checkNotAborted } from '../abort.js'
import { checkOptions, is } from '../args.js'
import { WhimsyError } from '../errors.js'
import { type FileRef, printable } from '../paths.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { head } from './requests.js'
import { target } from './targets.js'
import type { CallOptions } from './types.js'

/**
 * Presigned with temporary credentials, a link cannot outlive them: fresh ones last an hour
 * on AWS, so links last at most 55 minutes (after a refresh when needed), 15 by default.
 */
const MAX_SHARE_SECONDS = 55 * 60
const DEFAULT_SHARE_SECONDS = 15 * 60

export async function shareUrl(ctx: WhimsyContext, path: string | FileRef, options: CallOptions & { expiresIn?: number } = {}): Promise<string> {
  const checked = checkOptions<CallOptions & { expiresIn?: number }>('fs.shareUrl', options, {
    expiresIn: is.wholeNumber(1, MAX_SHARE_SECONDS, ' of seconds'),
    signal: is.signal,
  })
  const expiresIn = checked.expiresIn ?? DEFAULT_SHARE_SECONDS
  checkNotAborted('fs.shareUrl', checked.signal)
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_SHARE_SECONDS)
    throw new WhimsyError(
      'InvalidInput',
      `expiresIn is whole seconds from 1 to ${MAX_SHARE_SECONDS}: share links are signed with your session's temporary credentials.`,
    )
  const { file: key, path: shared } = await target(ctx, path)
  const label = printable(shared)
  if (!key) throw new WhimsyError('InvalidPath', `${label} is a folder: share links are for files.`)
  if (!(await head(ctx, key, label, checked.signal))) throw new WhimsyError('NotFound', `${label} does not exist.`, { status: 404 })
  // The link dies with the credentials that sign it: make sure they outlive it.
  const credentials = await ctx.auth.credentials()
  if (credentials.expiration.getTime() - Date.now() < (expiresIn + 60) * 1000) await ctx.auth.refreshCredentials()
  return ctx.s3.presignGet(ctx.config.bucket, key, expiresIn)
}
