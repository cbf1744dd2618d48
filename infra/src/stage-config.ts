/**
 * One stage of Whimsy Space (dev, prod…): every name derives from its prefix, so stages deploy
 * side by side in one account. Checked when read, with a named error per field.
 */

/** A Route 53 hosted zone given by id and name: `fromHostedZoneAttributes` needs no lookup (a lookup needs credentials at synth). */
export interface HostedZoneRef {
  id: string
  name: string
}

export interface StageConfig {
  /** `dev`, `prod`: names are `whimsy-<stage>-…`. */
  stage: string
  /** Region of the data (bucket, tables, Cognito, claim function). The edge stack is always us-east-1. */
  dataRegion: string
  /** Account id; optional (the CLI's credentials decide at deploy). */
  account?: string
  /** User sites live at `<handle>.<sitesDomain>`. Its own registrable domain, or one on the Public Suffix List. */
  sitesDomain: string
  /** The hosted zone holding `sitesDomain` (the zone itself or a parent). */
  sitesZone: HostedZoneRef
  /** Where the app (Briefcase) is served, never under `sitesDomain`. */
  appDomain: string
  appZone: HostedZoneRef
  /** The handles API's own host name; default `handles.<appDomain>`. Known before deploy, so the edge can bake it in. */
  handlesDomain?: string
  /** E-mail through SES (Cognito's own sender is capped at about 50 messages a day). */
  sesEmail?: { fromEmail: string; fromName?: string; sesRegion?: string; verifiedDomain?: string }
  /** The built Briefcase (and the SDK's browser build) to deploy; a placeholder page when absent. */
  appAssetsDir?: string
  /**
   * Origins of other apps (ZineOS apps, the examples) allowed to call the handles API from scripts
   * (`sites.claimHandle`, account deletion), besides the app's own `https://<appDomain>`, which is
   * always allowed. `https://host[:port]` each; default none.
   */
  appOrigins?: string[]
  /** CloudFront price class of both distributions; default `PriceClass_100`. */
  priceClass?: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All'
}

export class StageConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Stage configuration: ${field} ${message}`)
    this.name = 'StageConfigError'
  }
}

/** An origin exactly as a browser sends it: scheme, host, optional port; no path, no slash. */
const ORIGIN = /^https:\/\/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

export function checkStageConfig(input: unknown): Required<Pick<StageConfig, 'handlesDomain' | 'appOrigins' | 'priceClass'>> & StageConfig {
  if (typeof input !== 'object' || input === null) throw new StageConfigError('(root)', 'must be an object')
  const c = input as StageConfig
  if (typeof c.stage !== 'string' || !/^[a-z][a-z0-9]{0,11}$/.test(c.stage))
    throw new StageConfigError('stage', `must be 1–12 lowercase letters or digits, starting with a letter, not ${JSON.stringify(c.stage)}`)
  if (typeof c.dataRegion !== 'string' || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(c.dataRegion))
    throw new StageConfigError('dataRegion', `must be a region such as eu-west-1, not ${JSON.stringify(c.dataRegion)}`)
  if (c.account !== undefined && !/^\d{12}$/.test(c.account)) throw new StageConfigError('account', 'must be 12 digits')
  for (const field of ['sitesDomain', 'appDomain'] as const)
    if (typeof c[field] !== 'string' || !HOST.test(c[field]))
      throw new StageConfigError(field, `must be a lowercase host name, not ${JSON.stringify(c[field])}`)
  for (const [field, domain] of [
    ['sitesZone', c.sitesDomain],
    ['appZone', c.appDomain],
  ] as const) {
    const zone = c[field]
    if (!zone || typeof zone.id !== 'string' || !/^Z[A-Z0-9]{1,31}$/.test(zone.id)) throw new StageConfigError(`${field}.id`, 'must be a hosted zone id (Z…)')
    if (typeof zone.name !== 'string' || !(domain === zone.name || domain.endsWith(`.${zone.name}`)))
      throw new StageConfigError(`${field}.name`, `must be ${domain} or a parent of it`)
  }
  // The app on a user-site host would share a site with hostile pages.
  if (c.appDomain === c.sitesDomain || c.appDomain.endsWith(`.${c.sitesDomain}`))
    throw new StageConfigError('appDomain', `must not be under the sites domain ${c.sitesDomain}`)
  const handlesDomain = c.handlesDomain ?? `handles.${c.appDomain}`
  if (!HOST.test(handlesDomain) || !handlesDomain.endsWith(`.${c.appZone.name}`))
    throw new StageConfigError('handlesDomain', `must be a host name in the zone ${c.appZone.name}`)
  if (c.appOrigins !== undefined) {
    if (!Array.isArray(c.appOrigins)) throw new StageConfigError('appOrigins', 'must be a list of origins')
    // An origin the browser never sends (a path, a trailing slash, http) would silently allow nothing.
    for (const origin of c.appOrigins)
      if (typeof origin !== 'string' || !ORIGIN.test(origin))
        throw new StageConfigError('appOrigins', `must hold origins such as https://apps.example, not ${JSON.stringify(origin)}`)
  }
  return { ...c, handlesDomain, appOrigins: c.appOrigins ?? [], priceClass: c.priceClass ?? 'PriceClass_100' }
}

export type CheckedStageConfig = ReturnType<typeof checkStageConfig>

/** `whimsy-<stage>`: the prefix of every physical name. */
export function stagePrefix(config: Pick<StageConfig, 'stage'>): string {
  return `whimsy-${config.stage}`
}

/** The edge stack's region: CloudFront certificates and Lambda@Edge live only there. */
export const EDGE_REGION = 'us-east-1'
