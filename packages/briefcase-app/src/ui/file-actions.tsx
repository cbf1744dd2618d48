/** The file actions, registered once: what each button, menu item and shortcut does. */
import type { FileEntry } from '@whimsy/sdk'
import { type ActionContext, actions, defineAction, keys } from '../actions.js'
import { formatSize, parentOf } from '../format.js'
import { anchor, cursor, entries, nameTaken, selected, visible } from '../state/folder.js'
import { countContents, download, moveEntries, newFolder, removeEntries, renameEntry } from '../state/operations.js'
import { openFolder } from '../state/route.js'
import { whimsy } from '../state/session.js'
import { downloadFolderZip } from '../state/zip-download.js'
import { choiceDialog, confirmDialog, openDialog, promptDialog } from './dialog.js'
import { FolderPicker } from './folder-picker.js'
import { openPreview } from './preview.js'
import { renamesInline, renaming } from './rename-field.js'

const one = (ctx: ActionContext) => ctx.selection.length === 1
const some = (ctx: ActionContext) => ctx.selection.length > 0
const inPublic = (path: string) => path === '/public' || path.startsWith('/public/')

export function checkName(folder: string, current?: string) {
  return (name: string): string | undefined => {
    const n = name.trim()
    if (!n) return 'A name cannot be empty.'
    if (n.includes('/')) return 'A name cannot contain "/".'
    if (n === '.' || n === '..') return 'That name is reserved.'
    if (n !== current && nameTaken(n)) return `${n} already exists in ${folder === '/' ? 'your Briefcase' : folder}.`
    return undefined
  }
}

/** Opens the file picker and hands what was picked to `onFiles`. */
let pickFiles: () => void = () => {}
export function setFilePicker(open: () => void): void {
  pickFiles = open
}

async function pickFolder(title: string, start: string): Promise<string | undefined> {
  return openDialog<string>(title, (close) => <FolderPicker start={start} close={close} />, true)
}

export function openEntry(entry: FileEntry): void {
  if (entry.type === 'folder') openFolder(entry.path)
  else openPreview(entry)
}

defineAction({
  id: 'open',
  label: 'Open',
  keys: 'Enter',
  key: keys.plain('Enter'),
  menu: true,
  enabled: one,
  run: (ctx) => ctx.selection[0] && openEntry(ctx.selection[0]),
})
defineAction({
  id: 'up',
  label: 'Up one folder',
  keys: 'Backspace / Alt+↑',
  key: keys.any(keys.plain('Backspace'), keys.alt('ArrowUp')),
  enabled: (ctx) => ctx.folder !== '/',
  run: (ctx) => openFolder(parentOf(ctx.folder)),
})
defineAction({
  id: 'new-folder',
  label: 'New folder',
  keys: 'Shift+N',
  key: (e) => e.key === 'N' && e.shiftKey && !e.ctrlKey && !e.metaKey,
  toolbar: true,
  enabled: () => true,
  run: async (ctx) => {
    const name = await promptDialog({ title: 'New folder', label: 'Folder name', value: 'New folder', submit: 'Create', check: checkName(ctx.folder) })
    if (name) await newFolder(ctx.folder, name.trim())
  },
})
defineAction({ id: 'upload', label: 'Upload', keys: 'U', key: keys.plain('u'), toolbar: true, enabled: () => true, run: () => pickFiles() })
defineAction({
  id: 'rename',
  label: 'Rename',
  keys: 'F2',
  key: keys.plain('F2'),
  menu: true,
  enabled: one,
  run: async (ctx) => {
    const item = ctx.selection[0]
    if (!item) return
    if (renamesInline() && visible.value.some((e) => e.key === item.key)) {
      renaming.value = item.key
      return
    }
    const name = await promptDialog({
      title: `Rename ${item.name}`,
      label: 'New name',
      value: item.name,
      submit: 'Rename',
      check: checkName(ctx.folder, item.name),
    })
    if (name && name.trim() !== item.name) await renameEntry(item, ctx.folder, name.trim())
  },
})
defineAction({
  id: 'move',
  label: 'Move to…',
  keys: 'M',
  key: keys.plain('m'),
  menu: true,
  enabled: some,
  run: async (ctx) => {
    const to = await pickFolder(`Move ${ctx.selection.length === 1 ? ctx.selection[0]?.name : `${ctx.selection.length} items`} to…`, ctx.folder)
    if (to !== undefined && to !== ctx.folder) await moveEntries(ctx.selection, to, 'move')
  },
})
defineAction({
  id: 'copy',
  label: 'Copy to…',
  keys: 'C',
  key: keys.plain('c'),
  menu: true,
  enabled: some,
  run: async (ctx) => {
    const to = await pickFolder(`Copy ${ctx.selection.length === 1 ? ctx.selection[0]?.name : `${ctx.selection.length} items`} to…`, ctx.folder)
    if (to !== undefined) await moveEntries(ctx.selection, to, 'copy')
  },
})
defineAction({
  id: 'publish',
  label: 'Publish to my site',
  keys: 'P',
  key: keys.plain('p'),
  menu: true,
  enabled: (ctx) => some(ctx) && !inPublic(ctx.folder),
  run: async (ctx) => {
    const how = await choiceDialog({
      title: 'Publish to your site',
      body: <p>Files in your public folder are on your website for anyone to see. Copy them there, or move them?</p>,
      choices: [
        { id: 'copy', label: 'Copy to public', primary: true },
        { id: 'move', label: 'Move to public' },
      ],
    })
    if (!how) return
    await whimsy()
      .fs.mkdir('/public')
      .catch(() => {})
    await moveEntries(ctx.selection, '/public', how)
  },
})
defineAction({
  id: 'copy-link',
  label: 'Copy public link',
  keys: 'L',
  key: keys.plain('l'),
  menu: true,
  enabled: (ctx) => one(ctx) && inPublic(ctx.selection[0]?.path ?? ''),
  run: async (ctx) => {
    const item = ctx.selection[0]
    if (!item) return
    const url = whimsy().fs.publicUrl(item)
    // Not awaited: a clipboard that waits for permission must not hold the dialog back.
    void navigator.clipboard?.writeText(url).catch(() => {})
    await openDialog<void>('Public link', (close) => (
      <>
        <p>Anyone with this address can see {item.name}. It is copied to your clipboard.</p>
        <p>
          <a href={url} target="_blank" rel="noopener noreferrer" class="url">
            {url}
          </a>
        </p>
        <div class="dialog-buttons">
          <button type="button" class="primary" onClick={() => close(undefined)}>
            Done
          </button>
        </div>
      </>
    ))
  },
})
defineAction({
  id: 'download',
  label: 'Download',
  keys: 'D',
  key: keys.plain('d'),
  menu: true,
  enabled: one,
  // A folder arrives as one zip of everything below it.
  run: (ctx) => {
    const item = ctx.selection[0]
    if (!item) return
    return item.type === 'folder' ? void downloadFolderZip(item) : download(item)
  },
})
defineAction({
  id: 'delete',
  label: 'Delete',
  keys: 'Delete',
  key: keys.plain('Delete'),
  menu: true,
  danger: true,
  enabled: some,
  run: async (ctx) => {
    const { files, bytes } = await countContents(ctx.selection)
    const what = ctx.selection.length === 1 ? (ctx.selection[0]?.name ?? '') : `${ctx.selection.length} items`
    const folders = ctx.selection.filter((s) => s.type === 'folder').length
    const ok = await confirmDialog({
      title: `Delete ${what}?`,
      body: (
        <p>
          {folders ? `This deletes ${folders === 1 ? 'a folder' : `${folders} folders`} and everything in it: ` : 'This deletes '}
          <strong>
            {files.toLocaleString()} {files === 1 ? 'file' : 'files'} ({formatSize(bytes)})
          </strong>
          . Deleted files are gone from your Briefcase{ctx.folder.startsWith('/public') ? ' and your website' : ''}.
        </p>
      ),
      confirm: 'Delete',
      danger: true,
    })
    if (ok) await removeEntries(ctx.selection)
  },
})
defineAction({
  id: 'select-all',
  label: 'Select all',
  keys: 'Ctrl/⌘+A',
  key: keys.mod('a'),
  enabled: () => entries.value.length > 0,
  run: () => {
    selected.value = new Set(visible.value.map((e) => e.key))
    anchor.value = 0
    cursor.value = Math.max(0, visible.value.length - 1)
  },
})
defineAction({
  id: 'shortcuts',
  label: 'Keyboard shortcuts',
  keys: '?',
  key: (e) => e.key === '?',
  toolbar: false,
  enabled: () => true,
  run: () =>
    openDialog<void>(
      'Keyboard shortcuts',
      (close) => (
        <>
          <table class="shortcuts">
            <tbody>
              <tr>
                <th scope="row">
                  <kbd>↑</kbd> <kbd>↓</kbd>
                </th>
                <td>Move between rows (Shift extends the selection)</td>
              </tr>
              <tr>
                <th scope="row">
                  <kbd>Space</kbd>
                </th>
                <td>Select or unselect the row</td>
              </tr>
              {actions()
                .filter((a) => a.keys)
                .map((a) => (
                  <tr key={a.id}>
                    <th scope="row">
                      <kbd>{a.keys}</kbd>
                    </th>
                    <td>{a.label}</td>
                  </tr>
                ))}
            </tbody>
          </table>
          <div class="dialog-buttons">
            <button type="button" class="primary" onClick={() => close(undefined)}>
              Close
            </button>
          </div>
        </>
      ),
      true,
    ),
})
