/** The "Move to…" / "Copy to…" chooser: walk folders, pick one. */
import type { FileEntry } from '@whimsy/sdk'
import { useEffect, useState } from 'preact/hooks'
import { parentOf } from '../format.js'
import { whimsy } from '../state/session.js'
import { message } from './form.js'

export function FolderPicker(props: { start: string; close: (folder: string | undefined) => void }) {
  const [at, setAt] = useState(props.start)
  const [folders, setFolders] = useState<FileEntry[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    let live = true
    setFolders(undefined)
    ;(async () => {
      const found: FileEntry[] = []
      for await (const e of whimsy().fs.list(at)) if (e.type === 'folder') found.push(e)
      if (live) setFolders(found)
    })().catch((e) => live && setError(message(e)))
    return () => {
      live = false
    }
  }, [at])
  return (
    <>
      <p class="picker-at">
        <span>In: </span>
        <strong>{at === '/' ? 'My Briefcase' : at}</strong>
      </p>
      <ul class="picker" aria-label="Folders">
        {at !== '/' ? (
          <li>
            <button type="button" class="link" onClick={() => setAt(parentOf(at))}>
              ↑ Up to {parentOf(at) === '/' ? 'My Briefcase' : parentOf(at)}
            </button>
          </li>
        ) : null}
        {folders === undefined ? <li>Listing…</li> : folders.length === 0 ? <li class="hint">No folders here.</li> : null}
        {folders?.map((f) => (
          <li key={f.key}>
            <button type="button" class="link" onClick={() => setAt(f.path)}>
              📁 {f.name}
            </button>
          </li>
        ))}
      </ul>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="dialog-buttons">
        <button type="button" onClick={() => props.close(undefined)}>
          Cancel
        </button>
        <button type="button" class="primary" onClick={() => props.close(at)}>
          Choose this folder
        </button>
      </div>
    </>
  )
}
