// The SDK as a plain page gets it: bundled by esbuild for the browser, exposed on `window`.
// `sessionOf` is the SDK's internal route to the session, for the test to read credentials.
import { sessionOf } from '../../src/auth/session-access.js'
import { createWhimsy, memoryStorage, WhimsyError } from '../../src/index.js'

Object.assign(globalThis, { Whimsy: { createWhimsy, memoryStorage, WhimsyError, sessionOf } })
