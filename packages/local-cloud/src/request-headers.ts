/**
 * Request headers as the gateway reads them. Node decodes header bytes as Latin-1; S3 metadata
 * and every signed header value are UTF-8 on the wire for most clients, so each value is
 * re-decoded from its raw bytes as UTF-8 when those bytes are valid UTF-8. The Latin-1 form is
 * kept too: Node's own clients sign the string they sent as Latin-1 (see `verifyEither`).
 */
import type { IncomingMessage } from 'node:http'

const utf8 = new TextDecoder('utf-8', { fatal: true })

export function readHeaders(req: IncomingMessage): { headers: Record<string, string | undefined>; latin1Headers: Record<string, string | undefined> } {
  const latin1Headers: Record<string, string | undefined> = {}
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    const value = raw[i + 1] as string
    // Repeated headers are one comma-joined value, as SigV4 canonicalises them.
    latin1Headers[name] = latin1Headers[name] === undefined ? value : `${latin1Headers[name]},${value}`
  }
  const headers: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(latin1Headers)) headers[name] = value === undefined ? undefined : redecode(value)
  return { headers, latin1Headers }
}

function redecode(value: string): string {
  // Pure ASCII is the same either way; skip the copy.
  if (!/[^\u0000-\u007f]/.test(value)) return value
  try {
    return utf8.decode(Buffer.from(value, 'latin1'))
  } catch {
    return value
  }
}
