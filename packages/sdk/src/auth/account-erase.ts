/**
 * Asks the trusted erase function (`DELETE <handlesApi>/account`) to remove everything the
 * signed-in user owns — every file version and delete marker, unfinished uploads, key-value
 * items, the handle — which the user's own credentials may not do. It derives whose data from
 * the ID token itself and wants a fresh sign-in, which `deleteAccount` has just made.
 */
import { isNetworkError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'

/** Erasing thousands of versions takes a while; longer than this, something is wrong. */
const ERASE_TIMEOUT_MS = 120_000

export async function eraseAccount(handlesApi: string, idToken: string, signal?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(ERASE_TIMEOUT_MS)
  let res: Response
  try {
    res = await fetch(`${handlesApi.replace(/\/+$/, '')}/account`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${idToken}` },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
  } catch (e) {
    if (signal?.aborted) throw new WhimsyError('Aborted', 'Deleting the account was cancelled; nothing is lost by asking again.', { cause: e })
    if (timeout.aborted || isNetworkError(e)) throw new WhimsyError('Network', 'Could not reach Whimsy Space to delete the account. Try again.', { cause: e })
    throw e
  }
  if (res.ok) {
    await res.body?.cancel()
    return
  }
  const body = (await res.json().catch(() => ({}))) as { message?: string }
  if (res.status === 401) throw new WhimsyError('NotAuthorized', body.message ?? 'Sign in again to delete the account.', { status: 401 })
  throw new WhimsyError(
    res.status >= 500 ? 'Network' : 'Unknown',
    `Deleting the account's data failed (${res.status}${body.message ? `: ${body.message}` : ''}). Try again.`,
    {
      status: res.status,
    },
  )
}
