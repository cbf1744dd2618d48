/**
 * Keeps an emulator running: when its process exits on its own (a crash, the OOM killer, a
 * stray `kill`), it is started again on the same port, so the gateway's upstream URL stays
 * right, after a growing pause, and given up on after a few failed tries in a row.
 */
import { type Emulator, type EmulatorKind, type StartEmulatorOptions, startEmulator } from './emulators.js'

export type EmulatorState = 'up' | 'restarting' | 'down'

export interface SupervisedEmulator {
  kind: EmulatorKind
  url: string
  /** The current process's id (it changes on a restart). */
  readonly pid: number
  readonly state: EmulatorState
  stop(): Promise<void>
}

export interface SuperviseOptions {
  log: (line: string) => void
  /** Restarts tried in a row before giving up; a run that lasts `stableMs` resets the count. */
  maxRestarts?: number
  /** First pause before a restart; it doubles with each try, up to 5 s. */
  backoffMs?: number
  stableMs?: number
}

export async function superviseEmulator(start: StartEmulatorOptions, options: SuperviseOptions): Promise<SupervisedEmulator> {
  const { log, maxRestarts = 5, backoffMs = 100, stableMs = 30_000 } = options
  let current: Emulator = await startEmulator(start)
  const port = current.port
  let state: EmulatorState = 'up'
  let stopping = false
  let failures = 0
  let upSince = Date.now()
  let timer: NodeJS.Timeout | undefined

  const watch = (emulator: Emulator) =>
    emulator.onExit((code, signal) => {
      if (stopping) return
      if (Date.now() - upSince >= stableMs) failures = 0
      log(`${start.kind} emulator (pid ${emulator.pid}) exited (${signal ?? `code ${code}`}); restarting it on port ${port}`)
      scheduleRestart()
    })

  const scheduleRestart = () => {
    failures++
    if (failures > maxRestarts) {
      state = 'down'
      log(`${start.kind} emulator: gave up after ${maxRestarts} restarts in a row; restart the local cloud (logs in ${start.logDir})`)
      return
    }
    state = 'restarting'
    const pause = Math.min(backoffMs * 2 ** (failures - 1), 5000)
    timer = setTimeout(async () => {
      try {
        const next = await startEmulator({ ...start, port })
        if (stopping) return void (await next.stop())
        current = next
        state = 'up'
        upSince = Date.now()
        log(`${start.kind} emulator restarted on port ${port} (pid ${next.pid})`)
        watch(next)
      } catch (e) {
        if (stopping) return
        log(`${start.kind} emulator did not restart: ${e instanceof Error ? e.message : String(e)}`)
        scheduleRestart()
      }
    }, pause)
  }

  watch(current)
  return {
    kind: start.kind,
    url: current.url,
    get pid() {
      return current.pid
    },
    get state() {
      return state
    },
    async stop() {
      stopping = true
      clearTimeout(timer)
      await current.stop()
    },
  }
}
