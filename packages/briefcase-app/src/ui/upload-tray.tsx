/** The upload tray: each file's progress, speed, and cancel or retry. */
import { useState } from 'preact/hooks'
import { formatSize } from '../format.js'
import { cancelUpload, clearFinished, retryUpload, type Upload, uploads } from '../state/uploads.js'

const LABEL: Record<Upload['status'], string> = { queued: 'Waiting', uploading: 'Uploading', done: 'Done', failed: 'Failed', cancelled: 'Cancelled' }

export function UploadTray() {
  const [open, setOpen] = useState(true)
  const list = uploads.value
  if (list.length === 0) return null
  const active = list.filter((u) => u.status === 'uploading' || u.status === 'queued').length
  return (
    <aside class="tray" aria-label="Uploads">
      <header>
        <h2>{active ? `Uploading ${active} of ${list.length}` : `${list.filter((u) => u.status === 'done').length} of ${list.length} uploaded`}</h2>
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide' : 'Show'}
        </button>
        {active === 0 ? (
          <button type="button" onClick={clearFinished}>
            Clear
          </button>
        ) : null}
      </header>
      {open ? (
        <ul>
          {list.map((u) => {
            const name = u.path.split('/').pop() ?? u.path
            return (
              <li key={u.id} class={`up-${u.status}`} data-upload={name}>
                <div class="up-line">
                  <span class="up-name" title={u.path}>
                    {name}
                  </span>
                  <span class="up-status">
                    {LABEL[u.status]}
                    {u.status === 'uploading' && u.speed > 0 ? ` · ${formatSize(u.speed)}/s` : ''}
                  </span>
                  {u.status === 'uploading' || u.status === 'queued' ? (
                    <button type="button" class="link" onClick={() => cancelUpload(u.id)} aria-label={`Cancel ${name}`}>
                      Cancel
                    </button>
                  ) : null}
                  {u.status === 'failed' || u.status === 'cancelled' ? (
                    <button type="button" class="link" onClick={() => retryUpload(u.id)} aria-label={`Retry ${name}`}>
                      Retry
                    </button>
                  ) : null}
                </div>
                <progress
                  max={u.file.size || 1}
                  value={u.status === 'done' ? u.file.size || 1 : u.loaded}
                  aria-label={`${name}: ${formatSize(u.loaded)} of ${formatSize(u.file.size)}`}
                />
                {u.error ? <p class="error">{u.error}</p> : null}
              </li>
            )
          })}
        </ul>
      ) : null}
    </aside>
  )
}
