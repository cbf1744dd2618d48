/**
 * The two request headers a static file server must get right: `Range` (RFC 9110 §14.2) and
 * `If-None-Match` (§13.1.2). Pure, so the local edge and any other runtime agree.
 */

export type ByteRange = { start: number; end: number }

/**
 * The one byte range a `Range` header asks of a body of `size` bytes: a range, `'unsatisfiable'`
 * (answer 416), or undefined (serve the whole body — no header, a unit other than bytes, or
 * several ranges, which a server may always ignore).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim())
  if (!m) return undefined
  const [, first = '', last = ''] = m
  if (first === '' && last === '') return undefined
  if (first === '') {
    // bytes=-500: the last 500 bytes.
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (start >= size) return 'unsatisfiable'
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (end < start) return undefined
  return { start, end }
}

/** Whether `If-None-Match` matches `etag` (weak comparison, lists, `*`). */
export function noneMatchHits(header: string | undefined, etag: string | undefined): boolean {
  if (!header || !etag) return false
  if (header.trim() === '*') return true
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
  const want = opaque(etag)
  return header.split(',').some((tag) => opaque(tag) === want)
}
