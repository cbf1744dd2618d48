/**
 * A folder downloaded as one zip: its files are listed, then read one after another as a
 * stream into `client-zip` (which writes the archive as the bytes arrive, without compressing),
 * with progress in bytes on the operation line.
 */
import type { FileEntry } from '@whimsy/sdk'
import { downloadZip } from 'client-zip'
import { operation, saveBlob } from './operations.js'
import { whimsy } from './session.js'

export async function downloadFolderZip(folder: FileEntry): Promise<boolean> {
  const label = `Zipping ${folder.name}`
  operation.value = { label, loaded: 0, unit: 'bytes' }
  let loaded = 0
  try {
    const files: FileEntry[] = []
    for await (const e of whimsy().fs.list(folder, { recursive: true })) files.push(e)
    const total = files.reduce((n, f) => n + f.size, 0)
    operation.value = { label, loaded: 0, total, unit: 'bytes' }
    const prefix = `${folder.path}/`
    async function* inputs() {
      for (const file of files) {
        const counted = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            loaded += chunk.byteLength
            operation.value = { label, loaded, total, unit: 'bytes' }
            out.enqueue(chunk)
          },
        })
        const body = await whimsy().fs.stream(file)
        // The folder's own name is the zip's top level, as unzipping recreates it.
        yield { name: `${folder.name}/${file.path.slice(prefix.length)}`, input: body.pipeThrough(counted), size: file.size, lastModified: file.modified }
      }
    }
    const blob = await downloadZip(inputs()).blob()
    saveBlob(new Blob([blob], { type: 'application/zip' }), `${folder.name}.zip`)
    operation.value = undefined
    return true
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    operation.value = { label, loaded, unit: 'bytes', error: `${label} did not finish: ${why} Nothing was saved; try again.` }
    return false
  }
}
