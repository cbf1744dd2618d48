/**
 * The SDK's browser build on the API port, for pages that import it by URL:
 *
 *   <api>/sdk/<version>/whimsy.js   the entry; its chunks load from beside it
 *   <api>/sdk/latest/<file>         302 to the same file under the current version
 *
 * `latest` redirects rather than serving the same bytes: a module's chunks resolve against the
 * URL the module finally came from, so after the redirect every chunk a page loads later comes
 * from the version its entry came from, even if a newer SDK is deployed in between (served
 * under `latest` directly, a page loaded before a release would ask for chunk names the new
 * release no longer has). The redirect itself is `no-cache`, so `latest` moves on a release.
 *
 * Caching: chunks are named for their content, so they are `immutable`. The entry and source
 * maps keep their names across rebuilds of one version, which happens here all the time (the
 * local cloud rebuilds when the SDK's sources change, without a version bump), so they are
 * `no-cache` with an ETag; a production deploy, where a version's files never change, may mark
 * those immutable too.
 *
 * Any origin may load it (`access-control-allow-origin: *`, no credentials): apps run on their
 * own origins, and the build is public code. Files are served from memory by exact name, so no
 * path reaches the disk.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { ensureBrowserBuild } from '../../sdk/scripts/browser-build.js'

export const SDK_PREFIX = '/sdk/'

export interface SdkFiles {
  /** The SDK version the files are served under. */
  version: string
  entry: string
  serve(req: IncomingMessage, res: ServerResponse): void
}

interface SdkFile {
  body: Buffer
  etag: string
  type: string
  cache: string
}

/** Whether a request target is the SDK's (no bucket of ours is named `sdk`). */
export function isSdkTarget(url: string | undefined): boolean {
  return (url ?? '').startsWith(SDK_PREFIX)
}

/** Builds the browser SDK if it is missing or stale, and loads its files. */
export async function loadSdkFiles(): Promise<SdkFiles> {
  const built = await ensureBrowserBuild()
  const files = new Map<string, SdkFile>()
  for (const name of built.files) {
    const body = readFileSync(join(built.dir, name))
    const hashed = name.startsWith('chunk-') && name.endsWith('.js')
    files.set(name, {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      type: name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8',
      cache: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
  }
  return { version: built.version, entry: built.entry, serve: (req, res) => serveFile(built.version, files, req, res) }
}

/** What `/sdk/` answers when the build could not be made: the reason, not a hang or a crash. */
export function unavailableSdkFiles(reason: string): SdkFiles {
  return {
    version: 'unavailable',
    entry: 'whimsy.js',
    serve: (req, res) => {
      req.resume()
      sendText(res, 503, `The SDK's browser build failed when the local cloud started: ${reason}\n`)
    },
  }
}

function serveFile(version: string, files: Map<string, SdkFile>, req: IncomingMessage, res: ServerResponse): undefined {
  req.resume()
  res.setHeader('access-control-allow-origin', '*')
  res.setHeader('cross-origin-resource-policy', 'cross-origin')
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'GET, HEAD')
    res.setHeader('access-control-max-age', '600')
    res.writeHead(204)
    res.end()
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD')
    return sendText(res, 405, 'Use GET or HEAD\n')
  }
  const rawUrl = req.url ?? '/'
  const q = rawUrl.indexOf('?')
  const [asked, name, ...rest] = rawUrl.slice(SDK_PREFIX.length, q < 0 ? undefined : q).split('/')
  const file = name !== undefined && rest.length === 0 ? files.get(name) : undefined
  if (!file) return sendText(res, 404, `No such file of the SDK. The entry is ${SDK_PREFIX}${version}/whimsy.js\n`)
  if (asked === 'latest') {
    res.writeHead(302, { location: `${SDK_PREFIX}${version}/${name}`, 'cache-control': 'no-cache' })
    res.end()
    return
  }
  if (asked !== version) return sendText(res, 404, `This local cloud serves SDK ${version}, not ${asked}: use ${SDK_PREFIX}${version}/whimsy.js\n`)
  const headers = { 'content-type': file.type, 'cache-control': file.cache, etag: file.etag, 'x-content-type-options': 'nosniff' }
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'content-length': String(file.body.length) })
  res.end(req.method === 'HEAD' ? undefined : file.body)
}

function sendText(res: ServerResponse, status: number, text: string): undefined {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}
