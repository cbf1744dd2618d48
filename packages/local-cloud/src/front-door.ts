/**
 * What every public port of the local cloud runs before its real handler: the `Host` check
 * (issue 11, finding 5) and an answer while the local cloud is still starting (finding 7).
 *
 * The ports are claimed first, so that a port in use fails in milliseconds; a request that
 * arrived between `listen` and the handler being attached used to wait forever. The door is
 * the server's handler from `createServer` on: it answers 503 until `open` hands over.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { sendJsonError } from './aws-errors.js'

export interface FrontDoor {
  listener: RequestListener
  /** From now on, requests with an accepted Host go to `handler`. */
  open(handler: RequestListener): void
}

export function createFrontDoor(acceptsHost: (host: string | undefined) => boolean): FrontDoor {
  let handler: RequestListener | undefined
  return {
    listener(req, res) {
      if (!acceptsHost(req.headers.host)) refuseHost(req, res)
      else if (!handler) answerStarting(req, res)
      else handler(req, res)
    },
    open(next) {
      handler = next
    },
  }
}

function refuseHost(req: IncomingMessage, res: ServerResponse): void {
  req.resume()
  res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end('Misdirected request: the local cloud answers only 127.0.0.1, localhost and [::1] (and *.localhost for user sites).\n')
}

function answerStarting(req: IncomingMessage, res: ServerResponse): void {
  req.resume()
  res.setHeader('retry-after', '1')
  // AWS's JSON error shape for AWS calls, so SDK clients see a retryable ServiceUnavailable.
  if (req.headers['x-amz-target']) {
    sendJsonError(res, 'ServiceUnavailableException', 'starting', 503)
    return
  }
  res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end('{"message":"starting"}\n')
}
