// The SDK as a plain page gets it: bundled by esbuild for the browser, exposed on `window`.
import { createWhimsy, memoryStorage, WhimsyError } from '../../src/index.js'

Object.assign(globalThis, { Whimsy: { createWhimsy, memoryStorage, WhimsyError } })
