/**
 * Keys the local cloud refuses although S3 would take them. The engine stores keys as data,
 * so nothing here protects the disk any more; these rules keep what users and the SDK were
 * promised: a key with `.`/`..` segments is refused (IAM matches keys literally, so
 * `<id>/../<other>/x` would be a key inside `<id>/` that every path-normalising tool shows as
 * `<other>/x`), and NUL never reaches a key.
 */
export function unsafeKeyReason(key: string): string | undefined {
  if (key.includes('\u0000')) return 'Object keys with NUL characters are not accepted.'
  if (key.split('/').some((s) => s === '.' || s === '..')) return 'Object keys with "." or ".." segments are not accepted.'
  return undefined
}
