/**
 * Turns a drop into files with their paths relative to the drop, folders walked to any depth.
 * Pure over the entry API's shape (`webkitGetAsEntry`), so it is unit-tested without a browser:
 * Chromium cannot synthesise a dropped desktop folder.
 */

/** The part of FileSystemEntry the walker uses. */
export interface WalkEntry {
  name: string
  isFile: boolean
  isDirectory: boolean
  file?(ok: (file: File) => void, fail?: (e: unknown) => void): void
  createReader?(): { readEntries(ok: (entries: WalkEntry[]) => void, fail?: (e: unknown) => void): void }
}

export interface DroppedFile {
  file: File
  /** Relative to the drop target, `/`-separated: `photos/2026/cat.jpg`. */
  path: string
}

function fileOf(entry: WalkEntry): Promise<File> {
  return new Promise((resolve, reject) => {
    if (!entry.file) reject(new Error(`${entry.name} cannot be read.`))
    else entry.file(resolve, reject)
  })
}

/** All children of a directory: `readEntries` hands them out in batches (100 in Chromium) until an empty one. */
async function childrenOf(entry: WalkEntry): Promise<WalkEntry[]> {
  const reader = entry.createReader?.()
  if (!reader) return []
  const all: WalkEntry[] = []
  for (;;) {
    const batch = await new Promise<WalkEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
    if (batch.length === 0) return all
    all.push(...batch)
  }
}

export async function walkEntries(entries: readonly WalkEntry[], prefix = ''): Promise<DroppedFile[]> {
  const out: DroppedFile[] = []
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isFile) out.push({ file: await fileOf(entry), path })
    else if (entry.isDirectory) out.push(...(await walkEntries(await childrenOf(entry), path)))
  }
  return out
}

/** The minimum of DataTransfer the walker reads. */
export interface DropData {
  items?: ArrayLike<{ kind: string; webkitGetAsEntry?(): WalkEntry | null; getAsFile(): File | null }>
  files?: ArrayLike<File>
}

/**
 * Must be called during the drop event: the items are readable only until it returns, so every
 * entry is taken synchronously first and walked afterwards.
 */
export function walkDrop(data: DropData): Promise<DroppedFile[]> {
  const entries: WalkEntry[] = []
  const loose: File[] = []
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind !== 'file') continue
    const entry = item.webkitGetAsEntry?.() ?? null
    if (entry) entries.push(entry)
    else {
      const f = item.getAsFile()
      if (f) loose.push(f)
    }
  }
  if (entries.length === 0 && loose.length === 0) for (const f of Array.from(data.files ?? [])) loose.push(f)
  return walkEntries(entries).then((walked) => [...walked, ...loose.map((file) => ({ file, path: file.name }))])
}
