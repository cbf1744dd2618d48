/**
 * Content types by file name: one rule for what the SDK stores with an upload and what a user's
 * site serves when the stored type is the generic one. The types a personal cloud meets (pages,
 * styles, scripts, data, images, sound, video, fonts, documents, archives, models), each as the
 * `mime` package's standard table names it.
 *
 * A table of our own rather than `mime/lite`: its 1,000-odd extensions are 12.3 kB minified
 * (4.0 kB gzip) in every app's SDK bundle, this one about a tenth of that. A name whose extension
 * is not here is `application/octet-stream`, as an unknown one always was; add a row when a real
 * file type is missing (content-types.test.ts lists what it must know).
 */

/** Extension (lowercase, no dot) → type. Exported for the test that holds it to `mime`'s table. */
export const TYPES: Readonly<Record<string, string>> = {
  // pages, styles, scripts, data
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'application/xhtml+xml',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  jsx: 'text/jsx',
  json: 'application/json',
  map: 'application/json',
  jsonld: 'application/ld+json',
  webmanifest: 'application/manifest+json',
  xml: 'application/xml',
  atom: 'application/atom+xml',
  rss: 'application/rss+xml',
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  ini: 'text/plain',
  conf: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  ics: 'text/calendar',
  vtt: 'text/vtt',
  yaml: 'text/yaml',
  yml: 'text/yaml',
  toml: 'application/toml',
  wasm: 'application/wasm',
  // images
  png: 'image/png',
  apng: 'image/apng',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  heif: 'image/heif',
  jxl: 'image/jxl',
  // sound and video
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  weba: 'audio/webm',
  mid: 'audio/midi',
  midi: 'audio/midi',
  mp4: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mov: 'video/quicktime',
  // fonts
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  // documents, archives, models
  pdf: 'application/pdf',
  epub: 'application/epub+zip',
  rtf: 'application/rtf',
  doc: 'application/msword',
  zip: 'application/zip',
  gz: 'application/gzip',
  bin: 'application/octet-stream',
  glb: 'model/gltf-binary',
  gltf: 'model/gltf+json',
  stl: 'model/stl',
  obj: 'model/obj',
}

/** Types a browser decodes as windows-1252 for some names unless told: say UTF-8. */
const NEEDS_CHARSET = /^text\/|^application\/(json|javascript)$/

/**
 * The bare type of a file name (`image/png`), or undefined. As `mime` reads names: the extension
 * after the last dot of the last segment, in any case; a segment with no extension (`/notes/README`,
 * `/a/.env`) has none, and a bare word is itself an extension (`'txt'`).
 */
export function typeOfName(path: string): string | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase()
  const dot = name.lastIndexOf('.')
  if (dot <= 0 && name.length < path.length) return undefined
  return Object.hasOwn(TYPES, name.slice(dot + 1)) ? TYPES[name.slice(dot + 1)] : undefined
}

/** The Content-Type to store or serve a file name with: its type (with `charset=utf-8` for text), else `application/octet-stream`. */
export function contentTypeFor(path: string): string {
  const type = typeOfName(path)
  if (!type) return 'application/octet-stream'
  return NEEDS_CHARSET.test(type) ? `${type}; charset=utf-8` : type
}
