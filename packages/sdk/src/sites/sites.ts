/**
 * `whimsy.sites`: the user's handle (`danielx` in `danielx.whimsy.space`) and their site's
 * addresses. Claims go through the trusted claim function (`config.handlesApi`), which alone
 * may write the registry; the rules are `@whimsy/sites/handles`, shared with it and the proxy.
 */
import { checkHandle, normalizeHandle } from '@whimsy/sites/handles'
import { abortedError, checkNotAborted } from '../abort.js'
import { checkArgument, checkOptions, is } from '../args.js'
import { WhimsyError } from '../errors.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { siteUrl } from './site-urls.js'

/** Every `sites` call that makes a request takes a `signal`: aborted, it rejects with `Aborted` (at once if already aborted). */
export interface SitesCallOptions {
  signal?: AbortSignal
}

export class Sites {
  constructor(private readonly ctx: WhimsyContext) {}

  /** The signed-in user's handle, if they have claimed one. */
  get handle(): string | undefined {
    return this.ctx.auth.user?.handle
  }

  /**
   * Claims a handle for the signed-in user (renaming releases the old one). Input is trimmed
   * and lowercased first, so `' DanielX '` claims `danielx`.
   * @example
   * await whimsy.sites.claimHandle('danielx')
   * whimsy.sites.url('/') // 'https://danielx.whimsy.space/'
   */
  async claimHandle(name: string, options?: SitesCallOptions): Promise<string> {
    const handle = checked('sites.claimHandle', name)
    const { signal } = callOptions('sites.claimHandle', options)
    checkNotAborted('sites.claimHandle', signal)
    const idToken = await this.ctx.auth.idToken()
    // The token may have taken a refresh round trip: a cancel meanwhile sends no claim.
    checkNotAborted('sites.claimHandle', signal)
    const claimed = await this.ctx.handles.claim(idToken, handle, signal).catch(cancelled('sites.claimHandle', signal))
    this.ctx.auth.update({ handle: claimed.handle })
    return claimed.handle
  }

  /**
   * Whether a handle can be claimed, with the reason when not.
   * @example
   * const { available, reason } = await whimsy.sites.isAvailable('danielx')
   */
  async isAvailable(name: string, options?: SitesCallOptions): Promise<{ available: boolean; reason?: string }> {
    const candidate = normalizeHandle(checkArgument('sites.isAvailable', 'handle', name, is.string))
    const { signal } = callOptions('sites.isAvailable', options)
    checkNotAborted('sites.isAvailable', signal)
    const check = checkHandle(candidate)
    if (!check.ok) return { available: false, reason: check.reason }
    const answer = await this.ctx.handles.available(candidate, signal).catch(cancelled('sites.isAvailable', signal))
    return answer.reason ? { available: answer.available, reason: answer.reason } : { available: answer.available }
  }

  /**
   * The public address of a path of a site: the user's own by default.
   * @example
   * whimsy.sites.url('/photos/cat.png') // 'https://danielx.whimsy.space/photos/cat.png'
   */
  url(path = '/', handle = this.handle): string {
    checkArgument('sites.url', 'path', path, is.string)
    if (handle !== undefined) checkArgument('sites.url', 'handle', handle, is.string)
    if (!handle) throw new WhimsyError('InvalidHandle', `Claim a handle first: your site lives at <handle>.${this.ctx.config.sitesDomain}`)
    if (!path.startsWith('/')) throw new WhimsyError('InvalidPath', `A site path starts with "/": ${JSON.stringify(path)}`)
    return siteUrl(this.ctx.config, handle, path)
  }
}

function checked(call: string, name: unknown): string {
  const handle = normalizeHandle(checkArgument(call, 'handle', name, is.string))
  const check = checkHandle(handle)
  if (!check.ok) throw new WhimsyError('InvalidHandle', `${check.reason}.`)
  return handle
}

function callOptions(call: string, options: unknown): SitesCallOptions {
  return checkOptions<SitesCallOptions>(call, options, { signal: is.signal })
}

/** A request ended by its signal says which call was cancelled, as `fs` and `kv` calls do. */
export function cancelled(call: string, signal: AbortSignal | undefined): (e: unknown) => never {
  return (e) => {
    if (signal?.aborted) throw abortedError(call, signal)
    throw e
  }
}
