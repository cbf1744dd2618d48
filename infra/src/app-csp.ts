/**
 * The Briefcase's Content-Security-Policy, one definition for both worlds: the local cloud's app
 * server sends it with its own endpoints, production's app distribution (app-site.ts) with the
 * stack's. Nothing from a user's file may run in the app's origin, and the page may talk only to
 * the services the SDK calls.
 */

/** The policy, given the sources the page may connect to (origins, or tokens resolving to them). */
export function appContentSecurityPolicy(connectSources: readonly string[]): string {
  const connect = ["'self'", ...new Set(connectSources)].join(' ')
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export interface ProductionEndpoints {
  region: string
  /** The files bucket's name (the SDK addresses it virtual-hosted: `<bucket>.s3.<region>…`). */
  bucket: string
  /** The handles API's origin (claims and account deletion). */
  handlesApi: string
  /** The change feed's AppSync Events host names (HTTP publish/read, and its socket). */
  changes: { httpDns: string; realtimeDns: string }
}

/** What the SDK calls in production: the Cognito user pool and identity pool, S3, DynamoDB, the handles API and the change feed. */
export function productionConnectSources(e: ProductionEndpoints): string[] {
  const aws = (service: string) => `https://${service}.${e.region}.amazonaws.com`
  return [
    aws('cognito-idp'),
    aws('cognito-identity'),
    `https://${e.bucket}.s3.${e.region}.amazonaws.com`,
    aws('dynamodb'),
    e.handlesApi,
    `https://${e.changes.httpDns}`,
    `wss://${e.changes.realtimeDns}`,
  ]
}
