/**
 * Serves the example apps from an origin of their own (not the app's, not the API's), as a
 * third-party ZineOS app would be hosted, so their sessions and CORS are those of a stranger to
 * the Briefcase. Static files only, plus `/whimsy-env.js`: the one line that says where the
 * configuration comes from (production is a static host whose `whimsy-env.js` names the
 * production config URL).
 *
 * Hand-written rather than a static-file package: it serves a fixed list of folders and must
 * never serve this file, the tests or anything outside `examples/`, which is a dozen lines here.
 *
 *   tsx examples/server.ts --port 4303 --config http://127.0.0.1:4301/_whimsy/config.json
 */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = dirname(fileURLToPath(import.meta.url))
/** The folders a browser may read: the apps and their shared module, nothing else of examples/. */
const SERVED = new Set(['shared', 'hello', 'notes', 'paint', 'profile'])
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

export interface ExamplesServer {
  /** `http://localhost:<port>`: the examples' origin. */
  url: string
  close(): Promise<void>
}

export interface ExamplesServerOptions {
  /** 0 picks a free port. */
  port: number
  /**
   * Where the apps fetch their `WhimsyConfig`: the local cloud's `/_whimsy/config.json`. A
   * function when the cloud starts after this server (it must know this origin first).
   */
  configUrl: string | (() => string)
}

/** The file a request names, or undefined when it names nothing this server shows. */
function fileFor(url: string | undefined): string | undefined {
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(url ?? '/', 'http://x').pathname)
  } catch {
    return undefined
  }
  if (pathname === '/') return 'index.html'
  const segments = pathname.slice(1).split('/')
  if (segments.at(-1) === '') segments[segments.length - 1] = 'index.html'
  if (segments.length < 2 || !SERVED.has(segments[0] as string)) return undefined
  // Decoded once above; a segment that still climbs, hides or separates is refused.
  if (segments.some((s) => s === '' || s.startsWith('.') || /[\\/\0]/.test(s))) return undefined
  if (!TYPES[extname(segments.at(-1) as string)]) return undefined
  return segments.join('/')
}

export async function startExamplesServer(options: ExamplesServerOptions): Promise<ExamplesServer> {
  const env = () => `export const configUrl = ${JSON.stringify(typeof options.configUrl === 'function' ? options.configUrl() : options.configUrl)}\n`
  const server: Server = createServer(async (req, res) => {
    const headers = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Only GET and HEAD.\n')
      return
    }
    if (new URL(req.url ?? '/', 'http://x').pathname === '/whimsy-env.js') {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.js'] }).end(req.method === 'HEAD' ? undefined : env())
      return
    }
    const file = fileFor(req.url)
    const body = file ? await readFile(join(ROOT, file)).catch(() => undefined) : undefined
    if (!file || !body) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('Not found.\n')
      return
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] as string }).end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', resolve)
  })
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

/** The origins a browser may show the examples under: both loopback spellings of the port. */
export function examplesOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`]
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '4303' }, config: { type: 'string' } } })
  const configUrl = values.config ?? 'http://127.0.0.1:4301/_whimsy/config.json'
  const started = await startExamplesServer({ port: Number(values.port), configUrl })
  console.log(`Examples: ${started.url}/ (config from ${configUrl})`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void started.close().then(() => process.exit(0)))
}
