// The one place an example learns where Whimsy Space is: `whimsy-env.js` names the config URL
// (the local cloud's `/_whimsy/config.json`, or production's `config.json`). Swapping that URL is
// all it takes to run an example against production; the SDK's browser build is served beside it.
import * as env from '../whimsy-env.js'

/** Fetches the config, loads the SDK's browser build and restores a stored session. */
export async function connect() {
  const config = await (await fetch(env.configUrl)).json()
  const sdk = await import(env.sdkUrl ?? new URL('/sdk/latest/whimsy.js', env.configUrl).href)
  const whimsy = sdk.createWhimsy(config)
  await whimsy.auth.ready
  return { whimsy, sdk, config }
}

/** A readable line for any failure: WhimsyError messages are written for people. */
export function describeError(e) {
  return e && typeof e === 'object' && 'code' in e ? `${e.message} (${e.code})` : String(e?.message ?? e)
}
