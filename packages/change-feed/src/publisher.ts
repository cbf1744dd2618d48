/**
 * Rings an identity's channel in production: an AppSync Events HTTP publish, signed with the
 * function's own role (the only principal granted `appsync:EventPublish`). The message is only
 * `{ head }`; a lost one costs nothing, as clients read the log on reconnect.
 * https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html
 */
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { channelFor } from './channel-name.js'

export interface PublisherOptions {
  /** `https://<id>.appsync-api.<region>.amazonaws.com/event` */
  http: string
  region: string
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>
  fetch?: typeof fetch
}

export function createPublisher(options: PublisherOptions) {
  const signer = new SignatureV4({ service: 'appsync', region: options.region, sha256: Hash.bind(null, 'sha256'), credentials: options.credentials })
  const url = new URL(options.http)
  return async (identityId: string, head: number): Promise<void> => {
    const channel = channelFor(identityId)
    if (!channel) return
    const body = JSON.stringify({ channel, events: [JSON.stringify({ head })] })
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    })
    const res = await (options.fetch ?? fetch)(url, { method: 'POST', headers: signed.headers, body })
    // A refused ring is logged, not retried: the log is already written, and clients catch up.
    if (!res.ok) console.warn(`[change feed] publish to ${channel} answered ${res.status}`)
  }
}
