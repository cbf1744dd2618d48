/**
 * The local change feed's queue in front of the writer the production Lambda runs. Changes that
 * arrive together (a burst of uploads) go to the writer as one batch, as a Lambda gets a batch of
 * records: one counter increment and batch writes per batch. One append runs at a time; what
 * arrives meanwhile waits and goes as the next batch, so writes faster than appends cost a few
 * DynamoDB calls a batch, not ~6 a change (issue 17), and a key's changes stay in order.
 */
import type { ChangeInput, ChangeLogWriter } from '@whimsy/change-feed'

const BATCH_LIMIT = 1000

export interface FeedQueue {
  /** Queues changes for the next append. */
  feed(changes: ChangeInput[]): void
  /** Resolves once every change fed so far is appended (or its append failed and was logged). */
  drain(): Promise<void>
}

export function createFeedQueue(writer: Pick<ChangeLogWriter, 'append'>, log: (line: string) => void): FeedQueue {
  const queued: ChangeInput[] = []
  let inFlight: Promise<void> | undefined
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (inFlight || queued.length === 0) return
    const batch = queued.splice(0, BATCH_LIMIT)
    inFlight = writer
      .append(batch)
      .then(
        () => undefined,
        (e: unknown) => log(`[change feed] an append failed: ${String(e)}`),
      )
      .finally(() => {
        inFlight = undefined
        flush()
      })
  }
  return {
    feed(changes) {
      if (changes.length === 0) return
      queued.push(...changes)
      if (!inFlight && !scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    async drain() {
      for (;;) {
        if (inFlight) await inFlight
        else if (queued.length > 0) flush()
        else return
      }
    },
  }
}
