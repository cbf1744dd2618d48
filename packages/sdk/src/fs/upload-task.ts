/**
 * `fs.upload`'s answer: a promise of the written entry that is also a task with `pause()`,
 * `resume()`, `cancel()` and `progress`, as Amplify v6's `uploadData` gives. Still a real
 * Promise (awaited, `.catch`ed, passed where a Promise is expected), so `await fs.upload(…)`
 * reads as before; `task.done` is the same promise, for code that prefers a name.
 *
 * The task runs its upload as attempts: `pause()` ends the current attempt without cancelling
 * (a multipart upload keeps its parts and its resume record), `resume()` starts the next one,
 * which continues where the last stopped. `cancel()` ends it for good and removes what was sent.
 */
import { abortedError } from '../abort.js'
import { WhimsyError } from '../errors.js'
import { PAUSED } from './multipart-upload.js'
import type { Progress } from './types.js'

export type UploadState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled'

export interface UploadControls<T> {
  /** Stops sending and keeps what was sent; `resume()` continues. Ignored unless running. */
  pause(): void
  /** Continues a paused upload where it stopped (a small body starts again). Ignored unless paused. */
  resume(): void
  /** Ends the upload and removes what was sent; the promise rejects with `Aborted`. */
  cancel(): void
  /** Bytes sent so far, of `total`. */
  readonly progress: Progress
  readonly state: UploadState
  /** The same promise as the task itself. */
  readonly done: Promise<T>
}

export type UploadTask<T> = Promise<T> & UploadControls<T>

export interface Attempt {
  /** Fires on `cancel()` (and with the caller's own signal): the attempt cancels and cleans up. */
  signal: AbortSignal
  /** Fires on `pause()`: the attempt stops and keeps what it sent, rejecting with `PAUSED`. */
  pause: AbortSignal
  onProgress: (progress: Progress) => void
}

export interface TaskSpec<T> {
  call: string
  /** One attempt; called again on each `resume()`. */
  run: (attempt: Attempt) => Promise<T>
  /** The caller's signal: aborting it is `cancel()`. */
  signal?: AbortSignal
  onProgress?: (progress: Progress) => void
  /** Why this upload cannot pause (a stream cannot be read twice), if it cannot. */
  cannotPause?: string
  /** Removes what a paused upload left behind, when it is cancelled while paused. */
  discard?: () => Promise<void>
}

export function uploadTask<T>(spec: TaskSpec<T>): UploadTask<T> {
  const cancel = new AbortController()
  const signal = spec.signal ? AbortSignal.any([spec.signal, cancel.signal]) : cancel.signal
  let state: UploadState = 'running'
  let progress: Progress = { loaded: 0 }
  let pause = new AbortController()
  // Settles when the attempt in flight has (a resume waits for a paused attempt to wind down).
  let current: Promise<unknown> = Promise.resolve()
  let settle!: { resolve: (value: T) => void; reject: (error: unknown) => void }
  const promise = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject }
  })

  const finish = (next: UploadState, outcome: { value: T } | { error: unknown }) => {
    if (state === 'done' || state === 'failed' || state === 'cancelled') return
    state = next
    if ('value' in outcome) settle.resolve(outcome.value)
    else settle.reject(outcome.error)
  }

  const start = () => {
    const paused = pause.signal
    const onProgress = (p: Progress) => {
      progress = { ...p }
      spec.onProgress?.(p)
    }
    current = current
      .then(() => {
        if (signal.aborted) throw abortedError(spec.call, signal)
        return spec.run({ signal, pause: paused, onProgress })
      })
      .then(
        (value) => finish('done', { value }),
        (error: unknown) => {
          if (signal.aborted)
            return finish('cancelled', { error: error instanceof WhimsyError && error.code === 'Aborted' ? error : abortedError(spec.call, signal) })
          // This attempt was paused: its end is no failure; resume() or cancel() decides.
          if (error === PAUSED || paused.aborted) return
          finish('failed', { error })
        },
      )
  }

  const onCancel = async () => {
    if (state !== 'paused') return // a running attempt sees the signal and cleans up itself
    await current
    await spec.discard?.().catch(() => {})
    finish('cancelled', { error: abortedError(spec.call, signal) })
  }
  signal.addEventListener('abort', () => void onCancel(), { once: true })

  const controls: UploadControls<T> = {
    pause() {
      if (state !== 'running') return
      if (spec.cannotPause) throw new WhimsyError('InvalidInput', `${spec.call}: ${spec.cannotPause}`)
      state = 'paused'
      pause.abort()
    },
    resume() {
      if (state !== 'paused') return
      state = 'running'
      pause = new AbortController()
      start()
    },
    cancel() {
      cancel.abort(new WhimsyError('Aborted', `${spec.call} was cancelled.`))
    },
    get progress() {
      return progress
    },
    get state() {
      return state
    },
    get done() {
      return promise
    },
  }
  start()
  return Object.defineProperties(promise, Object.getOwnPropertyDescriptors(controls)) as UploadTask<T>
}
