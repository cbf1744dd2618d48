/**
 * One socket per browser, shared by its tabs: the tab holding a Web Lock runs the doorbell and
 * repeats what it hears on a BroadcastChannel; the other tabs only listen there (each still
 * reads the log itself, with the same session). When the leader tab closes, its lock is
 * released and another tab takes the socket over. Where either API is missing (Node, old
 * browsers) each `createWhimsy` keeps its own socket.
 */

export type TabMessage = { type: 'ring'; head: number | undefined } | { type: 'live'; live: boolean } | { type: 'hello' }

interface Locks {
  request(name: string, callback: () => Promise<void>): Promise<void>
}

export interface Stoppable {
  stop(): void
}

/**
 * `start(broadcast)` starts this tab's own doorbell when it becomes the leader, telling the
 * other tabs through `broadcast`; `hear` gets what the leader tells. Undefined when tabs cannot
 * share (no Web Locks or no BroadcastChannel).
 */
export function shareAcrossTabs(
  name: string,
  start: (broadcast: (message: TabMessage) => void) => Stoppable,
  hear: (message: TabMessage) => void,
): Stoppable | undefined {
  const locks = (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks
  if (!locks || typeof BroadcastChannel === 'undefined') return undefined
  const channel = new BroadcastChannel(name)
  let stopped = false
  let leading = false
  let live = false
  let release: (() => void) | undefined
  let own: Stoppable | undefined
  const broadcast = (message: TabMessage) => {
    if (message.type === 'live') live = message.live
    if (!stopped) channel.postMessage(message)
  }
  channel.onmessage = (event: MessageEvent<TabMessage>) => {
    const message = event.data
    if (message?.type === 'hello') {
      if (leading) channel.postMessage({ type: 'live', live } satisfies TabMessage)
    } else if (message && !leading) hear(message)
  }
  // A tab that joins late asks the leader whether the socket is live (it stops polling if so).
  channel.postMessage({ type: 'hello' } satisfies TabMessage)
  void locks
    .request(name, () => {
      if (stopped) return Promise.resolve()
      leading = true
      own = start(broadcast)
      return new Promise<void>((resolve) => {
        release = resolve
      })
    })
    .catch(() => {})
  return {
    stop() {
      stopped = true
      own?.stop()
      release?.()
      channel.close()
    },
  }
}
