/** Checks the edge configuration when the handler is built, with a named error per field. */
import type { EdgeConfig } from './lambda-edge.js'

export class EdgeConfigError extends Error {
  constructor(
    readonly field: keyof EdgeConfig,
    message: string,
  ) {
    super(`Edge configuration: ${String(field)} ${message}`)
    this.name = 'EdgeConfigError'
  }
}

export function checkEdgeConfig(config: EdgeConfig): EdgeConfig {
  if (!config.sitesDomain || !/^[a-z0-9.-]+(:\d+)?$/i.test(config.sitesDomain))
    throw new EdgeConfigError('sitesDomain', `must be a host name such as whimsy.space, not ${JSON.stringify(config.sitesDomain)}`)
  let url: URL
  try {
    url = new URL(config.handlesApi)
  } catch {
    throw new EdgeConfigError('handlesApi', `must be an absolute URL, not ${JSON.stringify(config.handlesApi)}`)
  }
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new EdgeConfigError('handlesApi', 'must use https')
  return { ...config, sitesDomain: config.sitesDomain.toLowerCase() }
}
