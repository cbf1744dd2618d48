/**
 * The app port: serves the built Briefcase (`packages/briefcase-app/dist`, built at start when
 * missing or stale) and a `config.json` beside it that points the app at this cloud, as
 * production's app distribution serves the stack's. Sets the app's strict Content-Security-Policy.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { RequestListener } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { appContentSecurityPolicy as sharedPolicy } from '@whimsy/infra/app-csp'
import type { WhimsyConfig } from '@whimsy/sdk/config'

// Apps are leaves (the rule nothing-imports-an-app): the app's own build script runs as a child
// process, and its output is read as files.
const APP_ROOT = fileURLToPath(new URL('../../briefcase-app/', import.meta.url))
const APP_DIST = join(APP_ROOT, 'dist')
const BUILD_SCRIPT = join(APP_ROOT, 'scripts', 'build.ts')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** Only the origins the SDK calls may be reached; nothing from a user's file can run in this origin (one policy with production's: infra/src/app-csp.ts). */
export function appContentSecurityPolicy(config: WhimsyConfig): string {
  const origins = new Set<string>()
  // The change feed (issue 15): its HTTP endpoint and its socket (ws:/wss:, which 'self' and
  // http origins do not cover).
  const feed = config.changes ? [config.changes.http, config.changes.realtime] : []
  for (const url of [...Object.values(config.endpoints ?? {}), config.handlesApi, ...feed]) if (url) origins.add(new URL(url).origin)
  return sharedPolicy([...origins])
}

/** Starts building the app (when stale) at once, so it overlaps the emulators' start. */
export async function prepareApp(): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', BUILD_SCRIPT, '--if-stale'], { cwd: APP_ROOT, timeout: 120_000 })
}

export async function createAppServer({
  config,
  apiUrl,
  built,
  log,
}: {
  config: WhimsyConfig
  apiUrl: string
  built: Promise<void>
  log?: (line: string) => void
}): Promise<RequestListener> {
  let buildError: string | undefined
  try {
    await built
  } catch (e) {
    // The cloud still starts (the API is usable); the app port says what went wrong.
    buildError = e instanceof Error ? e.message : String(e)
    log?.(`The Briefcase app did not build: ${buildError}`)
  }
  const csp = appContentSecurityPolicy(config)
  const configJson = JSON.stringify({ ...config, briefcase: { mailbox: `${apiUrl}/_whimsy/mailbox` } })
  const common = { 'x-content-type-options': 'nosniff', 'content-security-policy': csp, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' }
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' })
      res.end()
      return
    }
    const path = new URL(req.url ?? '/', 'http://app').pathname
    const send = (status: number, type: string, body: string | Buffer, cache = 'no-cache') => {
      res.writeHead(status, { ...common, 'content-type': type, 'cache-control': cache })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (path === '/config.json') return send(200, TYPES['.json'] as string, configJson, 'no-store')
    if (buildError) return send(500, 'text/plain; charset=utf-8', `The Briefcase app did not build:\n${buildError}\n`)
    const file = path === '/' ? 'index.html' : normalize(decodeURIComponent(path)).replace(/^\/+/, '')
    if (file.startsWith('..') || file.includes('\0') || file.startsWith('.')) return send(404, 'text/plain', 'not found\n')
    try {
      const body = await readFile(join(APP_DIST, file))
      send(200, TYPES[extname(file)] ?? 'application/octet-stream', body)
    } catch {
      send(404, 'text/plain; charset=utf-8', 'not found\n')
    }
  }
}
