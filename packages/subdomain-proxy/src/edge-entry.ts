/** The Lambda@Edge bundle's entry: the handler with its configuration baked in at build time. */
import { createEdgeHandler, type EdgeConfig } from './lambda-edge.js'

declare const __WHIMSY_EDGE_CONFIG__: EdgeConfig

export const handler = createEdgeHandler(__WHIMSY_EDGE_CONFIG__)
