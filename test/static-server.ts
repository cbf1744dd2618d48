/** A throw-away HTTP server on 127.0.0.1 serving files from memory: pages for browser tests. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StaticServer {
  url: string
  close(): Promise<void>
}

export async function serveFiles(files: Record<string, { type: string; body: string | Uint8Array }>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const file = files[path === '/' ? '/index.html' : path]
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' })
    res.end(file.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
