/** The Lambda@Edge bundle's entry: configuration compiled in at synth (Lambda@Edge has no environment variables). */
import type { EdgeConfig } from '@whimsy/sites/lambda-edge'
import { createSitesOriginHandler } from './sites-origin.js'

declare const __WHIMSY_EDGE_CONFIG__: EdgeConfig

export const handler = createSitesOriginHandler(__WHIMSY_EDGE_CONFIG__)
