/** The Lambda@Edge bundle's entry: configuration compiled in at synth (Lambda@Edge has no environment variables). */
import type { EdgeConfig } from '@whimsy/sites/lambda-edge'
import { lambdaRoleCredentials, signedObjects } from './signed-objects.js'
import { createSitesOriginHandler } from './sites-origin.js'

declare const __WHIMSY_EDGE_CONFIG__: EdgeConfig
/** The files bucket's region (the data region), for signing. */
declare const __WHIMSY_BUCKET_REGION__: string

export const handler = createSitesOriginHandler(__WHIMSY_EDGE_CONFIG__, {
  objectsFor: (bucketDomain) => signedObjects({ baseUrl: `https://${bucketDomain}`, region: __WHIMSY_BUCKET_REGION__, credentials: lambdaRoleCredentials }),
})
