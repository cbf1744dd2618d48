/**
 * The local cloud's own endpoints under `/_whimsy/` on the API port: configuration, mailbox,
 * health and the handle registry's API.
 *
 * Issue 11, finding 5: the route and the mailbox's no-CORS rule used to be decided on two
 * different readings of the path (the raw one and the URL parser's), so `/_whimsy/./mailbox`
 * reached the mailbox with CORS. Now the path is read once (`classifyPath`): each segment
 * decoded once, and any `/_whimsy` path that is not already clean (empty, `.` or `..`
 * segments, encoded `/`, backslashes, control characters) is refused; route and CORS are
 * decided on that one reading. State changes only by POST, so a page cannot change it with a
 * link or an image.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WhimsyConfig } from '@whimsy/sdk/config'
import { applyCors } from './cors.js'
import type { Mailbox } from './mailbox.js'

export const LOCAL_PREFIX = '_whimsy'

export type PathClass =
  /** Not ours: an AWS call (S3 path-style, or `/` for the JSON protocols). */
  | { kind: 'aws' }
  /** `segments` are decoded, `path` is their one canonical spelling (each segment re-encoded). */
  | { kind: 'local'; segments: string[]; path: string }
  | { kind: 'refused'; reason: string }

/** `classifyPath` of a request target (`req.url`), its query left aside. */
export function classifyTarget(url: string | undefined): PathClass {
  const target = url ?? '/'
  const q = target.indexOf('?')
  return classifyPath(q < 0 ? target : target.slice(0, q))
}

/** How the gateway reads a request path (without its query), once. */
export function classifyPath(rawPath: string): PathClass {
  // Origin-form only: an absolute-form target (`GET http://x/_whimsy/…`) names no path of ours.
  if (!rawPath.startsWith('/')) return { kind: 'refused', reason: 'The request target must be a path.' }
  const rawSegments = rawPath.slice(1).split('/')
  let decoded: string[] | undefined
  try {
    decoded = rawSegments.map((s) => decodeURIComponent(s))
  } catch {
    decoded = undefined
  }
  // A path that only becomes `/_whimsy/…` once decoded slashes are split or dot segments
  // resolved is ours too (and refused below): no AWS path starts there, and a more lenient
  // reader (the URL parser, a proxy) would route it here.
  const flat = (decoded ?? rawSegments.map((s) => s.replace(/%5f/gi, '_'))).join('/').split('/')
  if (flat[0] !== LOCAL_PREFIX && resolveDots(flat)[0] !== LOCAL_PREFIX) return { kind: 'aws' }
  if (!decoded) return { kind: 'refused', reason: 'The path is not valid percent-encoding.' }
  // One trailing slash is a spelling, not a segment.
  const body = decoded.at(-1) === '' && decoded.length > 1 ? decoded.slice(0, -1) : decoded
  const unclean = body.find((s) => s === '' || s === '.' || s === '..' || /[/\\\u0000-\u001f\u007f]/.test(s))
  if (unclean !== undefined) return { kind: 'refused', reason: 'The path must not contain empty, "." or ".." segments, encoded slashes or control characters.' }
  return { kind: 'local', segments: body, path: `/${body.map((s) => encodeURIComponent(s)).join('/')}` }
}

function resolveDots(segments: string[]): string[] {
  const out: string[] = []
  for (const s of segments) {
    if (s === '' || s === '.') continue
    if (s === '..') out.pop()
    else out.push(s)
  }
  return out
}

export interface HealthReport {
  ok: boolean
  parts: Record<string, 'up' | 'restarting' | 'down'>
}

export interface LocalRoutesOptions {
  config: WhimsyConfig
  mailbox: Mailbox
  health: () => HealthReport
  /** The handle registry's claim API at `/_whimsy/handles/…`; it answers CORS itself (app origin only). */
  handles?: (req: IncomingMessage, res: ServerResponse) => Promise<void>
}

type Route = { methods: readonly string[]; answer: (query: URLSearchParams) => { status?: number; body: unknown } }

const READ = ['GET', 'HEAD'] as const

/** Serves a path `classifyPath` found to be ours. */
export function createLocalRoutes(options: LocalRoutesOptions) {
  const { config, mailbox } = options
  const routes: Record<string, Route> = {
    '/_whimsy/config.json': { methods: READ, answer: () => ({ body: config }) },
    '/_whimsy/mailbox': {
      methods: READ,
      answer: (q) => ({ body: { messages: mailbox.list({ username: q.get('username') ?? undefined, destination: q.get('email') ?? undefined }) } }),
    },
    '/_whimsy/health': {
      methods: READ,
      answer: () => {
        const report = options.health()
        return { status: report.ok ? 200 : 503, body: report }
      },
    },
    // Development aid: makes the codes already sent to a user count as expired.
    '/_whimsy/mailbox/expire': {
      methods: ['POST'],
      answer: (q) => {
        const username = q.get('username')
        return { body: { expired: username ? mailbox.expire(username) : 0 } }
      },
    },
  }

  return async function serve(req: IncomingMessage, res: ServerResponse, local: Extract<PathClass, { kind: 'local' }>): Promise<void> {
    const rawUrl = req.url ?? '/'
    const q = rawUrl.indexOf('?')
    const query = q < 0 ? '' : rawUrl.slice(q)
    if (options.handles && local.segments[1] === 'handles') {
      // The handles API reads the path itself: it gets the canonical one.
      req.url = `${local.path}${query}`
      return options.handles(req, res)
    }
    // The mailbox holds every local user's codes: no other origin's script may read it (a
    // user's page on *.localhost could otherwise take over accounts).
    if (local.segments[1] !== 'mailbox') applyCors(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204)
      res.end()
      return
    }
    const route = routes[local.path]
    if (!route) return sendText(res, 404, 'Not found\n')
    if (!route.methods.includes(req.method ?? '')) {
      res.setHeader('allow', route.methods.join(', '))
      return sendText(res, 405, `Use ${route.methods.join(' or ')}\n`)
    }
    const answer = route.answer(new URLSearchParams(query))
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(answer.body, null, 2)}\n`)
  }
}

/** A refused `/_whimsy` path: 400, with no CORS, before any route is looked at. */
export function refusePath(res: ServerResponse, reason: string): void {
  res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(`${JSON.stringify({ message: reason })}\n`)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}
