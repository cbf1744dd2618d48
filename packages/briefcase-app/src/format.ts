/** How sizes, dates and file kinds are shown: in the user's locale (Intl), never hand-rolled units. */
import type { FileEntry } from '@whimsy/sdk'

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const

export function formatSize(bytes: number, locale?: string): string {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value)
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export function formatDate(date: Date | undefined): string {
  return date ? dateFormat.format(date) : ''
}

export type Kind = 'folder' | 'image' | 'text' | 'markdown' | 'html' | 'svg' | 'audio' | 'video' | 'pdf' | 'archive' | 'code' | 'file'

const BY_EXTENSION: Record<string, Kind> = {
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  csv: 'text',
  log: 'text',
  html: 'html',
  htm: 'html',
  svg: 'svg',
  pdf: 'pdf',
  zip: 'archive',
  gz: 'archive',
  tar: 'archive',
  json: 'code',
  js: 'code',
  ts: 'code',
  css: 'code',
  xml: 'code',
  yml: 'code',
  yaml: 'code',
}

export function kindOf(entry: Pick<FileEntry, 'name' | 'type' | 'contentType'>): Kind {
  if (entry.type === 'folder') return 'folder'
  const ext = entry.name.includes('.') ? (entry.name.split('.').pop() ?? '').toLowerCase() : ''
  const known = BY_EXTENSION[ext]
  if (known) return known
  const type = entry.contentType ?? ''
  if (type.startsWith('image/')) return 'image'
  if (type.startsWith('audio/')) return 'audio'
  if (type.startsWith('video/')) return 'video'
  if (type.startsWith('text/')) return 'text'
  return 'file'
}

/** Kinds the editor opens as text. */
export function isEditable(kind: Kind): boolean {
  return kind === 'text' || kind === 'markdown' || kind === 'code' || kind === 'html' || kind === 'svg'
}

/** Parent folder of a path ('/' for top-level names). */
export function parentOf(path: string): string {
  const i = path.replace(/\/$/, '').lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

export function joinPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`
}

/** "report.pdf" → "report (2).pdf": the next name not in `taken`. */
export function freeName(name: string, taken: (candidate: string) => boolean): string {
  const dot = name.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`
    if (!taken(candidate)) return candidate
  }
}
