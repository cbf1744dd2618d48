/**
 * The socket half of the feed: an AppSync Events real-time connection, IAM-authorized with the
 * session's identity-pool credentials, subscribed to the user's own channel. It only hears
 * "your log has reached N"; losing it loses nothing (the feed reads the log on reconnect).
 * Reconnects with exponential backoff and jitter.
 * https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
 */
import { AwsV4Signer } from 'aws4fetch'
import type { ScopedCredentials } from '../auth/credentials.js'
import type { ChangeFeedConfig } from '../config.js'
import { channelOf } from './channel-name.js'
import type { WebSocketConstructor, WebSocketLike } from './types.js'

export interface DoorbellOptions {
  config: ChangeFeedConfig
  region: string
  WebSocket: WebSocketConstructor
  credentials: () => Promise<ScopedCredentials>
  /** The log reached `head` (a ring), or the subscription just became live (`undefined`: read to catch up). */
  onRing: (head: number | undefined) => void
  /** Whether a live subscription exists: the feed polls while not. */
  onLive: (live: boolean) => void
}

const BACKOFF_START_MS = 250
const BACKOFF_MAX_MS = 30_000

export class Doorbell {
  private socket: WebSocketLike | undefined
  private stopped = false
  private attempts = 0
  private retry: ReturnType<typeof setTimeout> | undefined
  private silence: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: DoorbellOptions) {}

  start(): void {
    this.stopped = false
    void this.connect()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.retry)
    clearTimeout(this.silence)
    const socket = this.socket
    this.socket = undefined
    if (socket) {
      socket.onclose = null
      socket.onmessage = null
      socket.onerror = null
      socket.close(1000)
    }
  }

  private async connect(): Promise<void> {
    let socket: WebSocketLike
    let identityId: string
    try {
      identityId = (await this.options.credentials()).identityId
      const header = base64url(JSON.stringify(await this.sign('{}')))
      if (this.stopped) return
      socket = new this.options.WebSocket(this.options.config.realtime, ['aws-appsync-event-ws', `header-${header}`])
    } catch {
      return this.reconnect()
    }
    this.socket = socket
    const channel = channelOf(identityId)
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }))
    socket.onerror = () => {}
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.socket = undefined
      this.options.onLive(false)
      this.reconnect()
    }
    socket.onmessage = (event) => {
      let message: { type?: string; id?: string; event?: unknown; connectionTimeoutMs?: number }
      try {
        message = JSON.parse(String(event.data)) as typeof message
      } catch {
        return
      }
      switch (message.type) {
        case 'connection_ack':
          this.expectWithin(message.connectionTimeoutMs, socket)
          if (!channel) return socket.close(4000)
          void this.sign(JSON.stringify({ channel })).then(
            (authorization) => socket.send(JSON.stringify({ type: 'subscribe', id: 'changes', channel, authorization })),
            () => socket.close(4001),
          )
          return
        case 'ka':
          return this.expectWithin(undefined, socket)
        case 'subscribe_success':
          this.attempts = 0
          this.options.onLive(true)
          return this.options.onRing(undefined)
        case 'subscribe_error':
          return socket.close(4003)
        case 'data': {
          this.expectWithin(undefined, socket)
          const body = typeof message.event === 'string' ? (JSON.parse(message.event) as { head?: unknown }) : (message.event as { head?: unknown })
          return this.options.onRing(typeof body?.head === 'number' ? body.head : undefined)
        }
      }
    }
  }

  private timeoutMs = 300_000
  /** AppSync sends `ka` within the connection timeout: silence past it means a dead socket. */
  private expectWithin(timeoutMs: number | undefined, socket: WebSocketLike): void {
    if (timeoutMs) this.timeoutMs = timeoutMs
    clearTimeout(this.silence)
    this.silence = setTimeout(() => socket.close(4008), this.timeoutMs)
    ;(this.silence as { unref?: () => void }).unref?.()
  }

  private reconnect(): void {
    if (this.stopped) return
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempts) * (0.5 + Math.random() / 2)
    this.attempts += 1
    this.retry = setTimeout(() => void this.connect(), delay)
  }

  /**
   * The headers of a signed `POST /event` with this body: AppSync Events' IAM authorization.
   * Signed with aws4fetch, the signer the SDK's transport already ships (WebCrypto), every
   * header included as AppSync's own clients sign them; the header names come out lowercase.
   */
  private async sign(body: string): Promise<Record<string, string>> {
    const url = new URL(this.options.config.http)
    const { accessKeyId, secretAccessKey, sessionToken } = await this.options.credentials()
    const signer = new AwsV4Signer({
      url: url.href,
      method: 'POST',
      headers: {
        accept: 'application/json, text/javascript',
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=UTF-8',
      },
      body,
      accessKeyId,
      secretAccessKey,
      sessionToken,
      service: 'appsync',
      region: this.options.region,
      allHeaders: true,
    })
    const { headers } = await signer.sign()
    // `host` is signed but not a header a Request may carry: the socket's authorization names it.
    return { ...Object.fromEntries(headers), host: url.host }
  }
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
