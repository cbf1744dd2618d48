/**
 * An HTTP proxy on 127.0.0.1 that forwards to a target unchanged (Host header included, so
 * SigV4 signatures still verify) but cuts the connection of requests a test picks: a
 * dropped network, for testing retries and resumes. Not a fake of any service.
 */
import { createServer, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FaultProxy {
  url: string
  /** Requests cut so far. */
  dropped: number
  /** Requests forwarded so far. */
  forwarded: number
  close(): Promise<void>
}

export async function startFaultProxy(target: string, shouldDrop: (req: IncomingMessage) => boolean): Promise<FaultProxy> {
  const upstream = new URL(target)
  const state = { dropped: 0, forwarded: 0 }
  const server = createServer((req, res) => {
    if (shouldDrop(req)) {
      state.dropped++
      // Read a little of the body, then cut the line, as a network failure would.
      req.once('data', () => req.socket.destroy())
      req.once('end', () => req.socket.destroy())
      return
    }
    state.forwarded++
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get dropped() {
      return state.dropped
    },
    get forwarded() {
      return state.forwarded
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
