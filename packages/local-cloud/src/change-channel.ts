/**
 * The push channel on the API port: the AppSync Events real-time protocol
 * (https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html),
 * as much of it as the SDK uses, so the SDK runs one code path here and in production.
 *
 * A WebSocket upgrade on `/event/realtime` with the subprotocols `aws-appsync-event-ws` and
 * `header-<base64url JSON>`: the JSON is the headers of a SigV4-signed `POST /event` with body
 * `{}` (IAM auth, the identity pool's credentials), verified as the gateway verifies any call.
 * Each `subscribe` carries its own signed headers (body `{"channel":…}`); a user may subscribe to
 * their own channel only (`channel-name.ts`), and needs `appsync:EventSubscribe` from the
 * policy. Messages carry only `{ head }`: "your log has reached N". Clients cannot publish.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { channelFor } from '@whimsy/change-feed/channel-name'
import { type WebSocket, WebSocketServer } from 'ws'
import { type AdminKey, identify, type Principal, verify } from './authenticate.js'
import type { CredentialMint } from './credentials.js'
import type { AuthorizationRequest } from './iam/evaluate.js'
import { sha256Hex } from './sigv4.js'

export const REALTIME_PATH = '/event/realtime'
const PROTOCOL = 'aws-appsync-event-ws'
/** AppSync's: the client reconnects if it hears nothing (not even `ka`) for this long. */
const CONNECTION_TIMEOUT_MS = 300_000
const KEEP_ALIVE_MS = 60_000

export interface ChangeChannelOptions {
  mint: CredentialMint
  admin: AdminKey
  /** The channel namespace's ARN, which `appsync:EventConnect` / `EventSubscribe` are checked on. */
  namespaceArn: string
  authorize: (principal: Principal, requests: AuthorizationRequest[]) => boolean
}

export interface ChangeChannel {
  /** The API server's `upgrade` handler (after the Host check). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Rings an identity's channel: "your log has reached `head`". */
  ring(identityId: string, head: number): void
  close(): void
}

export function createChangeChannel(options: ChangeChannelOptions): ChangeChannel {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false) })
  const subscribers = new Map<string, Map<WebSocket, Set<string>>>()

  /** The user whose signed headers these are, or why not. */
  const signedBy = (headers: unknown, body: string): { ok: true; identityId: string } | { ok: false; message: string } => {
    if (!headers || typeof headers !== 'object') return { ok: false, message: 'No authorization headers.' }
    const lower: Record<string, string> = {}
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (typeof v === 'string') lower[k.toLowerCase()] = v
    const request = { method: 'POST', rawPath: '/event', rawQuery: '', headers: lower }
    const who = identify(request, options.mint, options.admin)
    if (!who.ok) return { ok: false, message: who.message }
    if (who.principal.kind !== 'user') return { ok: false, message: 'Only signed-in users subscribe to change channels.' }
    const checked = verify(request, who, sha256Hex(body))
    if (!checked.ok) return { ok: false, message: checked.message }
    return { ok: true, identityId: who.principal.identityId }
  }

  const allowed = (identityId: string, action: string) =>
    options.authorize({ kind: 'user', identityId }, [{ action, resource: options.namespaceArn, context: {} }])

  const send = (ws: WebSocket, message: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
  }

  const drop = (ws: WebSocket) => {
    for (const [channel, sockets] of subscribers) {
      sockets.delete(ws)
      if (sockets.size === 0) subscribers.delete(channel)
    }
  }

  const serve = (ws: WebSocket, identityId: string) => {
    const keepAlive = setInterval(() => send(ws, { type: 'ka' }), KEEP_ALIVE_MS)
    keepAlive.unref()
    ws.on('close', () => {
      clearInterval(keepAlive)
      drop(ws)
    })
    ws.on('message', (data) => {
      let message: { type?: unknown; id?: unknown; channel?: unknown; authorization?: unknown }
      try {
        message = JSON.parse(String(data)) as typeof message
      } catch {
        return send(ws, { type: 'error', errors: [{ errorType: 'BadRequestException', message: 'Messages are JSON objects.' }] })
      }
      const id = typeof message.id === 'string' ? message.id : undefined
      switch (message.type) {
        case 'connection_init':
          return send(ws, { type: 'connection_ack', connectionTimeoutMs: CONNECTION_TIMEOUT_MS })
        case 'subscribe': {
          const refuse = (errorType: string, text: string) => send(ws, { type: 'subscribe_error', id, errors: [{ errorType, message: text }] })
          if (!id || typeof message.channel !== 'string') return refuse('BadRequestException', 'subscribe needs an id and a channel.')
          const signer = signedBy(message.authorization, JSON.stringify({ channel: message.channel }))
          if (!signer.ok) return refuse('UnauthorizedException', signer.message)
          // The connection's user and the subscription's must be one, and the channel theirs.
          if (signer.identityId !== identityId || channelFor(identityId) !== message.channel || !allowed(identityId, 'appsync:EventSubscribe'))
            return refuse('UnauthorizedException', 'You may subscribe only to your own change channel.')
          const sockets = subscribers.get(message.channel) ?? new Map<WebSocket, Set<string>>()
          subscribers.set(message.channel, sockets)
          sockets.set(ws, (sockets.get(ws) ?? new Set()).add(id))
          return send(ws, { type: 'subscribe_success', id })
        }
        case 'unsubscribe':
          for (const sockets of subscribers.values()) sockets.get(ws)?.delete(id ?? '')
          return send(ws, { type: 'unsubscribe_success', id })
        case 'publish':
          return send(ws, { type: 'publish_error', id, errors: [{ errorType: 'UnauthorizedException', message: 'Only the feed writer publishes.' }] })
        default:
          return send(ws, { type: 'error', id, errors: [{ errorType: 'UnsupportedOperation', message: `Unknown message type ${String(message.type)}.` }] })
      }
    })
  }

  return {
    upgrade(req, socket, head) {
      const refuse = (status: number, text: string) => {
        socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
      }
      if ((req.url ?? '').split('?')[0] !== REALTIME_PATH) return refuse(404, 'Not Found')
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
      const header = offered.find((p) => p.startsWith('header-'))
      let auth: unknown
      try {
        auth = JSON.parse(Buffer.from((header ?? '').slice('header-'.length), 'base64url').toString('utf8'))
      } catch {
        return refuse(401, 'Unauthorized')
      }
      const signer = signedBy(auth, '{}')
      if (!signer.ok || !allowed(signer.identityId, 'appsync:EventConnect')) return refuse(401, 'Unauthorized')
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws, signer.identityId))
    },
    ring(identityId, head) {
      const channel = channelFor(identityId)
      const sockets = channel ? subscribers.get(channel) : undefined
      if (!sockets) return
      const event = JSON.stringify({ head })
      for (const [ws, ids] of sockets) for (const id of ids) send(ws, { type: 'data', id, event })
    },
    close() {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
    },
  }
}
