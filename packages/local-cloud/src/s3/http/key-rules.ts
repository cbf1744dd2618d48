/**
 * Keys the local cloud refuses although S3 would take them. The engine stores keys as data, so
 * `.`/`..` segments are literal key bytes (IAM matches them literally: `<id>/a/../x` is a key
 * inside `<id>/`, and is accepted). Refused is only a key whose `..` segments would climb out
 * of its first segment, the owner's folder, if any tool normalised it as a path:
 * `<id>/../<other>/x` would show up as another user's file wherever keys become paths (sync
 * tools, downloads, the SDK's own path helpers). And NUL never reaches a key.
 */
export function unsafeKeyReason(key: string): string | undefined {
  if (key.includes('\u0000')) return 'Object keys with NUL characters are not accepted.'
  let depth = 0
  for (const segment of key.split('/')) {
    if (segment === '..') {
      depth--
      if (depth < 1) return 'Object keys whose ".." segments climb out of their top-level folder are not accepted.'
    } else if (segment !== '.' && segment !== '') depth++
  }
  return undefined
}
