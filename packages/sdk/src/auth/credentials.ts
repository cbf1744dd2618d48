/**
 * The identity pool's temporary AWS credentials, shared by every client of one `Whimsy`:
 * cached, refreshed shortly before they expire, refreshed at once when a call proves them
 * expired (a clock off by minutes, a laptop waking from sleep), and never fetched twice at the
 * same time however many calls wait for them.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'

export interface ScopedCredentials extends AwsCredentialIdentity {
  identityId: string
  expiration: Date
}

/** Fetches new credentials; `forceTokenRefresh` asks for a fresh ID token first. */
export type CredentialFetcher = (forceTokenRefresh: boolean) => Promise<ScopedCredentials>

/** Refresh this long before expiry: AWS clients' own window, or a fifth of a short lifetime. */
const REFRESH_WINDOW_MS = 5 * 60 * 1000
/**
 * Credentials that look expired on arrival mean this device's clock is ahead of AWS's. They
 * are still good; keep them this long (a refused call refreshes them at once anyway) rather
 * than fetching new ones for every call.
 */
const SKEWED_CLOCK_CACHE_MS = 60 * 1000

export class CredentialCache {
  private current?: { credentials: ScopedCredentials; refreshAt: number }
  private inflight?: Promise<ScopedCredentials>
  /** Bumped by `clear()`, so a fetch that started before a sign-out is not cached after it. */
  private generation = 0

  constructor(
    private readonly fetcher: CredentialFetcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** Valid credentials, from the cache when they have time left. */
  async get(): Promise<ScopedCredentials> {
    const current = this.current
    if (current && this.now() < current.refreshAt) return current.credentials
    return this.refresh(false)
  }

  /**
   * New credentials. Concurrent callers share one fetch. `force` also refreshes the ID token,
   * for when the server refused what we believed valid.
   */
  refresh(force: boolean): Promise<ScopedCredentials> {
    if (this.inflight) return this.inflight
    const generation = this.generation
    const attempt = this.fetcher(force).then((credentials) => {
      if (generation === this.generation) {
        const now = this.now()
        const lifetime = credentials.expiration.getTime() - now
        const refreshAt = lifetime > 0 ? credentials.expiration.getTime() - Math.min(REFRESH_WINDOW_MS, lifetime / 5) : now + SKEWED_CLOCK_CACHE_MS
        this.current = { credentials, refreshAt }
      }
      return credentials
    })
    const settled = attempt.finally(() => {
      if (this.inflight === settled) this.inflight = undefined
    })
    this.inflight = settled
    return settled
  }

  /** The identityId of the cached credentials, if any. */
  get identityId(): string | undefined {
    return this.current?.credentials.identityId
  }

  clear(): void {
    this.generation++
    this.current = undefined
    this.inflight = undefined
  }

  /**
   * A provider for AWS SDK clients. Marked `memoized` so the clients ask this cache on every
   * call instead of keeping a copy of their own that `refresh` could not replace.
   */
  provider(): AwsCredentialIdentityProvider {
    const provider = (() => this.get()) as AwsCredentialIdentityProvider & { memoized?: boolean }
    provider.memoized = true
    return provider
  }
}

/** Error names S3, DynamoDB and the identity pool give credentials the server no longer honours. */
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'UnrecognizedClientException', 'InvalidToken', 'RequestExpired'])

export function isExpiredCredentialsError(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } }
  if (typeof err?.name === 'string' && EXPIRED.has(err.name)) return true
  // S3 answers HEAD requests without a body, so an expired token there is a nameless 400/403
  // (the AWS SDK calls it UnknownError, or names the status): worth one refresh to find out.
  const status = err?.$metadata?.httpStatusCode
  return (status === 400 || status === 403) && ['Unknown', 'UnknownError', 'BadRequest', 'Forbidden'].includes(String(err.name))
}
