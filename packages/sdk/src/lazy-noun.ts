/**
 * Pay for what you use (issue 12): `whimsy.fs`, `whimsy.kv` and `whimsy.profile` are thin
 * facades that import their implementation, and the AWS code under it, on the first call. In
 * the browser build each is a chunk of its own, so a page that only signs in never downloads
 * S3 or DynamoDB code, and a kv-only app no S3 code.
 *
 * The public API keeps its shape: every method that returns a promise is forwarded as is (any
 * name, so a method added to a noun class works through its facade without a change here).
 * Methods that answer synchronously (`fs.list`, `fs.publicUrl`, `kv.list`, `kv.app`) are
 * written out by the facade, with the same argument checks, so they still throw at once.
 * A noun method that returns something other than a promise must be added to its facade's
 * `sync` part: `lazy-noun.test.ts` fails until it is.
 */
import { WhimsyError } from './errors.js'

export type Loader<T> = () => Promise<T>

/**
 * A facade over the implementation `load` resolves to. `sync(load)` gives the members answered
 * without loading (getters included); every other string key (or each one of `methods`, when
 * given) is a method forwarded on call.
 */
export function lazyNoun<T extends object>(name: string, load: Loader<T>, sync: (load: Loader<T>) => object, methods?: ReadonlySet<string>): T {
  let loading: Promise<T> | undefined
  const loaded: Loader<T> = () => {
    loading ??= load().catch((e: unknown) => {
      loading = undefined // a chunk that failed to download is fetched again on the next call
      return chunkFailed(name)(e)
    })
    return loading
  }
  const forwarded = new Map<string, (...args: unknown[]) => Promise<unknown>>()
  return new Proxy(sync(loaded), {
    get(target, key, receiver) {
      if (key in target) return Reflect.get(target, key, receiver)
      // Not a thenable (`await whimsy.fs` must not call anything), and no symbols or internals.
      if (typeof key !== 'string' || key === 'then' || key === 'constructor' || key === 'toJSON') return undefined
      // `methods`, when given, is the whole forwarded API: auth's class has private helpers that
      // TypeScript hides but a page's script could still reach through a forward-anything proxy.
      if (methods && !methods.has(key)) return undefined
      let method = forwarded.get(key)
      if (!method) {
        method = async (...args: unknown[]) => {
          const impl = (await loaded()) as Record<string, unknown>
          const member = impl[key]
          if (typeof member !== 'function') throw new TypeError(`${name}.${key} is not a function`)
          return member.apply(impl, args)
        }
        forwarded.set(key, method)
      }
      return method
    },
  }) as T
}

/** An async generator that loads first, then yields what `iterate` yields. */
export async function* afterLoading<T, I>(load: Loader<I>, iterate: (impl: I) => AsyncIterable<T>): AsyncGenerator<T> {
  yield* iterate(await load())
}

/** A chunk that did not download is a TypeError in browsers (`Network`); anything else is a bug to see as it is. */
export function chunkFailed(name: string): (e: unknown) => never {
  return (e) => {
    if (!(e instanceof TypeError)) throw e
    throw new WhimsyError('Network', `Could not load the SDK's ${name} code: ${e.message}`, { cause: e })
  }
}
