/**
 * Preview and edit. A user's files are hostile: HTML renders in an iframe sandboxed without
 * scripts or same-origin, SVG only as an <img> (which never runs its scripts), Markdown through
 * DOMPurify, names always as text. Saving is conditional on the version opened: a file changed
 * elsewhere meanwhile is a Conflict, and both versions are kept.
 */
import { type FileEntry, isWhimsyError } from '@whimsy/sdk'
import DOMPurify from 'dompurify'
import { marked } from 'marked'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { freeName, isEditable, joinPath, kindOf, parentOf } from '../format.js'
import { entries, refresh } from '../state/folder.js'
import { download } from '../state/operations.js'
import { whimsy } from '../state/session.js'
import { openDialog } from './dialog.js'
import { message } from './form.js'

export function openPreview(entry: FileEntry): void {
  void openDialog<void>(entry.name, (close) => <Preview entry={entry} close={() => close(undefined)} />, true)
}

const MEDIA_TYPES: Record<string, string> = { svg: 'image/svg+xml', pdf: 'application/pdf' }

function useBlobUrl(entry: FileEntry, wanted: boolean): { url?: string; error?: string } {
  const [state, setState] = useState<{ url?: string; error?: string }>({})
  useEffect(() => {
    if (!wanted) return
    let url: string | undefined
    let live = true
    whimsy()
      .fs.readBlob(entry)
      .then((blob) => {
        const kind = kindOf(entry)
        // The stored type is the uploader's word; the kind we render decides the type we hand the browser.
        const typed = new Blob([blob], { type: MEDIA_TYPES[kind] ?? (blob.type || entry.contentType || 'application/octet-stream') })
        url = URL.createObjectURL(typed)
        if (live) setState({ url })
      })
      .catch((e) => live && setState({ error: message(e) }))
    return () => {
      live = false
      if (url) URL.revokeObjectURL(url)
    }
  }, [entry.key, wanted])
  return state
}

function Markdown({ text }: { text: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false }) as string), [text])
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />
}

function Editor(props: { entry: FileEntry; text: string; etag?: string; onSaved: (text: string, etag?: string) => void }) {
  const [draft, setDraft] = useState(props.text)
  const [state, setState] = useState<{ busy?: boolean; note?: string; conflict?: string; error?: string }>({})
  const save = async () => {
    setState({ busy: true })
    try {
      const saved = await whimsy().fs.write(props.entry.path, draft, props.etag ? { ifMatch: props.etag } : { ifNoneMatch: '*' })
      props.onSaved(draft, saved.etag)
      setState({ note: 'Saved.' })
      void refresh()
    } catch (e) {
      if (isWhimsyError(e, 'Conflict')) {
        const folder = parentOf(props.entry.path)
        const wanted = props.entry.name.replace(/(\.[^.]*)?$/, ' (your version)$1')
        const taken = (n: string) => entries.value.some((x) => x.name === n)
        const copy = taken(wanted) ? freeName(wanted, taken) : wanted
        try {
          await whimsy().fs.write(joinPath(folder, copy), draft, { ifNoneMatch: '*' })
          setState({ conflict: copy })
          void refresh()
        } catch (e2) {
          setState({ error: `This file changed elsewhere, and your version could not be kept either: ${message(e2)} Copy your text before closing.` })
        }
      } else setState({ error: message(e) })
    }
  }
  return (
    <div class="editor">
      <label for="editor-text" class="sr-only">
        Contents of {props.entry.name}
      </label>
      <textarea id="editor-text" value={draft} spellcheck={false} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
      {state.conflict ? (
        <div class="conflict" role="alert">
          <strong>Conflict: {props.entry.name} changed somewhere else since you opened it.</strong> Both versions are kept: the other one is still{' '}
          <em>{props.entry.name}</em>, yours is saved as <em>{state.conflict}</em>.
        </div>
      ) : null}
      {state.error ? (
        <p class="error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.note ? <output class="notice">{state.note}</output> : null}
      <div class="dialog-buttons">
        <button type="button" class="primary" disabled={state.busy || draft === props.text} onClick={save}>
          {state.busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </div>
  )
}

function Preview(props: { entry: FileEntry; close: () => void }) {
  const { entry } = props
  const kind = kindOf(entry)
  const textual = isEditable(kind)
  const media = kind === 'image' || kind === 'svg' || kind === 'audio' || kind === 'video' || kind === 'pdf'
  const blob = useBlobUrl(entry, media)
  const [text, setText] = useState<{ text: string; etag?: string } | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [editing, setEditing] = useState(kind === 'text' || kind === 'code')
  useEffect(() => {
    if (!textual) return
    ;(async () => {
      const info = await whimsy().fs.stat(entry)
      const body = await whimsy().fs.readText(entry)
      setText({ text: body, etag: info.etag })
    })().catch((e) => setError(message(e)))
  }, [entry.key])

  let body: preact.ComponentChildren = null
  if (error || blob.error)
    body = (
      <p class="error" role="alert">
        {error ?? blob.error}
      </p>
    )
  else if (textual && editing)
    body = text ? <Editor entry={entry} text={text.text} etag={text.etag} onSaved={(t, etag) => setText({ text: t, etag })} /> : <p>Loading…</p>
  else if (kind === 'markdown') body = text ? <Markdown text={text.text} /> : <p>Loading…</p>
  else if (kind === 'html') body = text ? <iframe class="html-preview" title={`Preview of ${entry.name}`} sandbox="" srcdoc={text.text} /> : <p>Loading…</p>
  else if (kind === 'image' || kind === 'svg') body = blob.url ? <img class="image-preview" src={blob.url} alt={entry.name} /> : <p>Loading…</p>
  // biome-ignore lint/a11y/useMediaCaption: a user's own media file; there is no caption track to offer
  else if (kind === 'audio') body = blob.url ? <audio controls src={blob.url} aria-label={entry.name} /> : <p>Loading…</p>
  // biome-ignore lint/a11y/useMediaCaption: a user's own media file; there is no caption track to offer
  else if (kind === 'video') body = blob.url ? <video class="video-preview" controls src={blob.url} aria-label={entry.name} /> : <p>Loading…</p>
  else if (kind === 'pdf')
    body = blob.url ? (
      <p>
        PDFs open in your browser's own viewer.{' '}
        <a href={blob.url} target="_blank" rel="noopener noreferrer">
          Open {entry.name} in a new tab
        </a>
      </p>
    ) : (
      <p>Loading…</p>
    )
  else body = <p>There is no preview for this kind of file.</p>

  return (
    <div class="preview" data-kind={kind}>
      <div class="preview-body">{body}</div>
      <div class="dialog-buttons">
        {textual && kind !== 'text' && kind !== 'code' ? (
          <button type="button" onClick={() => setEditing(!editing)}>
            {editing ? 'Preview' : 'Edit'}
          </button>
        ) : null}
        <button type="button" onClick={() => void download(entry)}>
          Download
        </button>
        <button type="button" onClick={props.close}>
          Close
        </button>
      </div>
    </div>
  )
}
