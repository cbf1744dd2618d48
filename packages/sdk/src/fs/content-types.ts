/** Content-Type from a file name, from the `mime` package's table of standard types. */
import mime from 'mime/lite'

export function contentTypeFor(path: string): string {
  const type = mime.getType(path) ?? 'application/octet-stream'
  // Text without a charset is decoded as windows-1252 by browsers for some types; say UTF-8.
  return type.startsWith('text/') || type === 'application/json' || type === 'application/javascript' ? `${type}; charset=utf-8` : type
}
