/**
 * Which `Host` values the local cloud answers (issue 11, finding 5). A page on any site can
 * point its own name at 127.0.0.1 (DNS rebinding) and then read the local cloud as its own
 * origin, CORS or not: only loopback names are answered, before any routing.
 *
 * The port is not compared with the listening one: a page that rebinds `evil.example` still
 * sends `Host: evil.example:<port>`, whatever the port, and test proxies (`test/fault-proxy.ts`)
 * forward a client's Host unchanged so that its signature still verifies.
 */

/** The names every loopback listener of the local cloud answers to. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * `Host` split into its name (lower case) and port. Undefined for anything that is not a
 * plain `name[:port]` or `[v6]:port` (userinfo, paths, spaces, empty).
 */
export function parseHost(host: string | undefined): { name: string; port?: number } | undefined {
  if (!host) return undefined
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(host)
  if (!match?.[1]) return undefined
  const port = match[2] === undefined ? undefined : Number(match[2])
  if (port !== undefined && port > 65535) return undefined
  return { name: match[1].toLowerCase(), port }
}

/** The API and the app answer `127.0.0.1`, `localhost` and `[::1]`. */
export function isLoopbackHost(host: string | undefined): boolean {
  const parsed = parseHost(host)
  return parsed !== undefined && LOOPBACK_NAMES.has(parsed.name)
}

/**
 * The user-site edge also answers `<name>.localhost`, where user sites live. Names below a
 * handle (`a.<handle>.localhost`) are let through: the site handler answers them 404.
 */
export function isSitesHost(host: string | undefined): boolean {
  const parsed = parseHost(host)
  if (!parsed) return false
  if (parsed.name === '127.0.0.1' || parsed.name === 'localhost') return true
  const labels = parsed.name.split('.')
  return labels.length >= 2 && labels.at(-1) === 'localhost' && labels.slice(0, -1).every((l) => /^[a-z0-9-]{1,63}$/.test(l))
}
