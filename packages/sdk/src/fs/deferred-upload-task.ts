/**
 * `fs.upload` through the lazily loaded `fs` facade (lazy-noun.ts). The task must exist at once
 * — a caller may pause or cancel it before the files code has downloaded — so this stands in
 * for it and hands each control to the real task (upload-task.ts) as soon as that exists.
 * Type imports only: this module is part of the first chunk.
 */
import { WhimsyError } from '../errors.js'
import type { Progress } from './types.js'
import type { UploadState, UploadTask } from './upload-task.js'

/** `start` resolves to `{ task }`, not the task: a promise resolving to a thenable would adopt it. */
export function deferredUploadTask<T>(start: Promise<{ task: UploadTask<T> }>, cannotPause: string | undefined): UploadTask<T> {
  let task: UploadTask<T> | undefined
  let wanted: 'running' | 'paused' | 'cancelled' = 'running'
  const promise = start.then(({ task: real }) => {
    task = real
    if (wanted === 'cancelled') real.cancel()
    else if (wanted === 'paused') real.pause()
    return real.done
  })
  const controls = {
    pause() {
      if (task) return task.pause()
      if (cannotPause) throw new WhimsyError('InvalidInput', `fs.upload: ${cannotPause}`)
      if (wanted === 'running') wanted = 'paused'
    },
    resume() {
      if (task) return task.resume()
      if (wanted === 'paused') wanted = 'running'
    },
    cancel() {
      if (task) return task.cancel()
      wanted = 'cancelled'
    },
    get progress(): Progress {
      return task?.progress ?? { loaded: 0 }
    },
    get state(): UploadState {
      return task?.state ?? wanted
    },
    get done() {
      return promise
    },
  }
  return Object.defineProperties(promise, Object.getOwnPropertyDescriptors(controls)) as UploadTask<T>
}
