/**
 * `whimsy.changes`: every change of the user's files and key-value data, in log order, each
 * once. The log is the truth and the socket only a doorbell: on every ring, on (re)connecting,
 * and on a poll while no socket can be had, each subscription reads the log after its cursor
 * with the user's own credentials. So an offline device, a sleeping tab and a dropped socket
 * all recover the same way. Sign-out stops everything.
 *
 * In a browser, its tabs share one socket (`tab-share.ts`: a leader tab, a BroadcastChannel).
 */
import { checkOptions, is } from '../args.js'
import { toWhimsyError } from '../aws-errors.js'
import { WhimsyError } from '../errors.js'
import type { WhimsyContext } from '../whimsy-context.js'
import { type LogEntry, readHead, readLog } from './log-reader.js'
import { OwnWrites } from './own-writes.js'
import { type Stoppable, shareAcrossTabs, type TabMessage } from './tab-share.js'
import type { Change, ChangeEvent, ChangeFeedOptions, SubscribeOptions, WebSocketConstructor } from './types.js'

const CURSOR_KEY = 'whimsy.changes.cursor.'
const DEFAULT_POLL_MS = 5000
/** Remembered event ids per subscription, for de-duplication (duplicates arrive close together). */
const SEEN_LIMIT = 5000
/** A hole in the sequence (a writer still writing an earlier entry) is waited on this long, then skipped. */
const GAP_WAIT_MS = 2000
const GAP_RETRY_MS = 250
/** After a failed read (network, throttling, expired credentials being refreshed). */
const ERROR_RETRY_MS = 1000

interface Subscription {
  listener: (event: ChangeEvent) => void
  since: number | undefined
  /** Whether this subscription keeps the session's cursor (`changes.subscribe`; watchers start from now). */
  persist: boolean
  cursor?: number
  seen: Set<string>
  busy: boolean
  again: boolean
  stopped: boolean
  gap?: { seq: number; since: number }
}

export class ChangeFeed {
  /** @internal */
  readonly ownWrites = new OwnWrites()
  private readonly subscriptions = new Set<Subscription>()
  private doorbell: Stoppable | undefined
  private poller: ReturnType<typeof setInterval> | undefined
  private readonly WebSocket: WebSocketConstructor | undefined
  private readonly pollMs: number
  /** Whether the session restore begun by `createWhimsy` has answered (until then no user is no proof of no session). */
  private restored = false

  /** @internal Built by `createWhimsy`. */
  constructor(
    private readonly ctx: WhimsyContext,
    options: ChangeFeedOptions = {},
  ) {
    if (typeof options !== 'object' || options === null)
      throw new WhimsyError('InvalidInput', 'createWhimsy: options.changes is an object: { WebSocket, pollIntervalMs }.')
    checkOptions<ChangeFeedOptions>('createWhimsy changes', options, { WebSocket: is.function, pollIntervalMs: is.wholeNumber(10, 3_600_000, ' ms') })
    this.WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
    this.pollMs = options.pollIntervalMs ?? DEFAULT_POLL_MS
    ctx.auth.onChange((user) => {
      if (!user) this.close()
    })
    const answered = () => {
      this.restored = true
    }
    void Promise.resolve(ctx.auth.ready).then(answered, answered)
  }

  /**
   * Calls `listener` with every change after the cursor, in order, each once; a
   * `{ type: 'resync' }` when changes were missed (a cursor older than the log keeps). Returns
   * the function that stops it. Called while the stored session is still being restored (a
   * page that subscribes as it loads), it waits for the restore; if that finds no session, the
   * subscription ends without a call (`auth.onChange` reports it). Signed out, it throws
   * `NotSignedIn`.
   * @example
   * const stop = whimsy.changes.subscribe((c) => c.type === 'resync' ? reloadAll() : apply(c))
   */
  subscribe(listener: (event: ChangeEvent) => void, options: SubscribeOptions = {}): () => void {
    return this.watch('changes.subscribe', listener, options, true)
  }

  /** @internal The subscription behind `subscribe`, `fs.watch` and `kv.watch`. */
  watch(what: string, listener: (event: ChangeEvent) => void, options: SubscribeOptions, persist: boolean): () => void {
    if (typeof listener !== 'function') throw new WhimsyError('InvalidInput', `${what}: the listener is a function.`)
    checkOptions<SubscribeOptions>(what, options, { since: is.wholeNumber(0, Number.MAX_SAFE_INTEGER) })
    this.table(what)
    const restoring = !this.ctx.auth.user && !this.restored
    if (!this.ctx.auth.user && !restoring) throw new WhimsyError('NotSignedIn', `${what}: sign in first.`)
    const sub: Subscription = { listener, since: options.since, persist, seen: new Set(), busy: false, again: false, stopped: false }
    this.subscriptions.add(sub)
    const start = () => {
      this.run()
      void this.pull(sub)
    }
    if (!restoring) start()
    else
      void Promise.resolve(this.ctx.auth.ready)
        .catch(() => null)
        .then(() => {
          if (sub.stopped) return
          if (this.ctx.auth.user) return start()
          sub.stopped = true
          this.subscriptions.delete(sub)
        })
    return () => {
      sub.stopped = true
      this.subscriptions.delete(sub)
      if (this.subscriptions.size === 0) this.halt()
    }
  }

  /** The last sequence number of the user's log: a cursor meaning "from now on". */
  async head(): Promise<number> {
    if (!this.ctx.auth.user) throw new WhimsyError('NotSignedIn', 'changes.head: sign in first.')
    try {
      return await readHead(this.ctx, this.table('changes.head'))
    } catch (e) {
      throw toWhimsyError(e, 'changes.head')
    }
  }

  /** Stops every subscription and closes the socket (sign-out does this). */
  close(): void {
    for (const sub of this.subscriptions) sub.stopped = true
    this.subscriptions.clear()
    this.halt()
  }

  private table(what: string): string {
    const table = this.ctx.config.changes?.table
    if (!table) throw new WhimsyError('InvalidConfig', `${what}: this deployment's configuration has no change feed (config.changes).`)
    return table
  }

  private run(): void {
    if (this.doorbell || this.poller) return
    this.startPolling()
    const config = this.ctx.config.changes
    const WebSocketClass = this.WebSocket
    if (!WebSocketClass || !config) return
    const ring = (head: number | undefined) => {
      for (const sub of this.subscriptions) if (head === undefined || sub.cursor === undefined || head > sub.cursor) void this.pull(sub)
    }
    const onLive = (live: boolean) => (live ? this.stopPolling() : this.startPolling())
    const start = (broadcast?: (message: TabMessage) => void): Stoppable => {
      // The socket's code (and its SigV4 signer) is a chunk of its own, loaded by the first
      // subscription; until it is there, polling covers.
      let doorbell: Stoppable | undefined
      let stopped = false
      void import('./doorbell.js').then(
        ({ Doorbell }) => {
          if (stopped) return
          const bell = new Doorbell({
            config,
            region: this.ctx.config.region,
            WebSocket: WebSocketClass,
            credentials: () => this.ctx.auth.credentials(),
            onLive: (live) => {
              onLive(live)
              broadcast?.({ type: 'live', live })
            },
            onRing: (head) => {
              ring(head)
              broadcast?.({ type: 'ring', head })
            },
          })
          bell.start()
          doorbell = bell
        },
        () => {},
      ) // offline: a chunk that did not download leaves the poller in charge
      return {
        stop() {
          stopped = true
          doorbell?.stop()
        },
      }
    }
    const name = `whimsy.changes|${config.realtime}|${this.ctx.auth.user?.identityId ?? ''}`
    this.doorbell =
      shareAcrossTabs(name, start, (message) => {
        if (message.type === 'ring') ring(message.head)
        else if (message.type === 'live') onLive(message.live)
      }) ?? start()
  }

  private halt(): void {
    this.doorbell?.stop()
    this.doorbell = undefined
    this.stopPolling()
  }

  private startPolling(): void {
    if (this.poller) return
    this.poller = setInterval(() => {
      for (const sub of this.subscriptions) void this.pull(sub)
    }, this.pollMs)
    ;(this.poller as { unref?: () => void }).unref?.()
  }

  private stopPolling(): void {
    clearInterval(this.poller)
    this.poller = undefined
  }

  /** Reads the log after the subscription's cursor and delivers what is new; one read at a time per subscription. */
  private async pull(sub: Subscription): Promise<void> {
    if (sub.busy) {
      sub.again = true
      return
    }
    sub.busy = true
    try {
      do {
        sub.again = false
        await this.readOnce(sub)
      } while (sub.again && !sub.stopped)
    } catch {
      // The cursor has not moved past what failed: read again soon, as a lost ring would not.
      if (!sub.stopped) setTimeout(() => void this.pull(sub), ERROR_RETRY_MS)
    } finally {
      sub.busy = false
    }
  }

  private async readOnce(sub: Subscription): Promise<void> {
    const table = this.table('changes')
    const { identityId } = await this.ctx.auth.credentials()
    if (sub.cursor === undefined) sub.cursor = sub.since ?? (sub.persist ? this.storedCursor(identityId) : undefined) ?? (await readHead(this.ctx, table))
    const cursor = sub.cursor
    const entries = await readLog(this.ctx, table, cursor)
    if (sub.stopped) return
    const after = entries.filter((e) => e.seq > cursor)
    // The entry at the cursor proves nothing was lost before what follows; without it, a jump
    // past cursor + 1 (or a head that moved with no entries left) means expired changes — or
    // entries still being written (the head is counted first; a batch's entries land in any
    // order), so a suspected loss is re-read for GAP_WAIT_MS before it is called one. A head
    // below the cursor is an erased log: at once.
    const cursorKept = cursor > 0 && entries[0]?.seq === cursor
    const first = after[0]
    let missed = false
    if (!cursorKept) {
      const head = first ? undefined : await readHead(this.ctx, table)
      if (head !== undefined && head < cursor) missed = true
      else if (first ? first.seq > cursor + 1 : head !== cursor) {
        const now = Date.now()
        if (sub.gap?.seq !== cursor + 1) sub.gap = { seq: cursor + 1, since: now }
        if (now - sub.gap.since < GAP_WAIT_MS) {
          setTimeout(() => void this.pull(sub), GAP_RETRY_MS)
          return
        }
        missed = true
      }
    }
    if (missed) {
      const head = await readHead(this.ctx, table)
      this.advance(sub, identityId, head)
      sub.gap = undefined
      sub.listener({ type: 'resync', seq: head })
      sub.again = true
      return
    }
    let expected = cursor + 1
    for (const entry of after) {
      if (sub.stopped) return
      if (entry.seq !== expected) {
        const now = Date.now()
        if (sub.gap?.seq !== expected) sub.gap = { seq: expected, since: now }
        if (now - sub.gap.since < GAP_WAIT_MS) {
          setTimeout(() => void this.pull(sub), GAP_RETRY_MS)
          return
        }
      }
      sub.gap = undefined
      expected = entry.seq + 1
      this.advance(sub, identityId, entry.seq)
      if (sub.seen.has(entry.eventId)) continue
      sub.seen.add(entry.eventId)
      if (sub.seen.size > SEEN_LIMIT) sub.seen.delete(sub.seen.values().next().value as string)
      sub.listener(this.changeOf(entry))
    }
    if (entries.length >= 1000) sub.again = true
  }

  private advance(sub: Subscription, identityId: string, seq: number): void {
    sub.cursor = seq
    if (sub.persist) this.ctx.storage.setItem(CURSOR_KEY + identityId, String(seq))
  }

  private storedCursor(identityId: string): number | undefined {
    const stored = Number(this.ctx.storage.getItem(CURSOR_KEY + identityId) ?? Number.NaN)
    return Number.isSafeInteger(stored) && stored >= 0 ? stored : undefined
  }

  private changeOf(entry: LogEntry): Change {
    const { time, ...rest } = entry
    this.ownWrites.confirm(entry)
    return { type: 'change', ...rest, time: new Date(time), fromThisDevice: this.ownWrites.madeHere(entry) }
  }
}
