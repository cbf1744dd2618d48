/**
 * The SDK's side of the handle registry's trusted claim function (`config.handlesApi`; see
 * `@whimsy/sites`). Plain `fetch`: the function is an HTTP endpoint, not an AWS API.
 */
import { handlesApiError, toWhimsyError } from '../aws-errors.js'

export class HandlesClient {
  constructor(private readonly base: string) {}

  /** The caller's handle, or undefined when they have none. */
  async own(idToken: string, signal?: AbortSignal): Promise<string | undefined> {
    const body = await this.request<{ handle: string | null }>('GET', '/me', { idToken, signal })
    return body.handle ?? undefined
  }

  async claim(idToken: string, handle: string, signal?: AbortSignal): Promise<{ handle: string; identityId: string }> {
    return this.request('POST', '/claim', { idToken, body: { handle }, signal })
  }

  async available(handle: string, signal?: AbortSignal): Promise<{ handle: string; available: boolean; reason?: string }> {
    return this.request('GET', `/available/${encodeURIComponent(handle)}`, { signal })
  }

  async release(idToken: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', '/me', { idToken, signal })
  }

  private async request<T>(
    method: string,
    path: string,
    { idToken, body, signal }: { idToken?: string; body?: unknown; signal?: AbortSignal | undefined } = {},
  ): Promise<T> {
    let res: Response
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { ...(idToken ? { authorization: `Bearer ${idToken}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ?? null,
      })
    } catch (e) {
      throw toWhimsyError(e)
    }
    const text = await res.text().catch((e: unknown) => {
      throw toWhimsyError(e)
    })
    let parsed: Record<string, unknown> = {}
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {}
    } catch {
      // Not JSON: described by the status below.
    }
    if (res.ok) return parsed as T
    throw handlesApiError(res.status, parsed)
  }
}
