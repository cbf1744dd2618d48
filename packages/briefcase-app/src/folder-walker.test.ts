import { describe, expect, it } from 'vitest'
import { type DropData, type WalkEntry, walkDrop, walkEntries } from './folder-walker.js'

/** A tree in the shape of the browser's FileSystemEntry API, handing out children in batches as Chromium does. */
function file(name: string, text = name): WalkEntry {
  return { name, isFile: true, isDirectory: false, file: (ok) => ok(new File([text], name)) }
}
function dir(name: string, children: WalkEntry[], batch = 2): WalkEntry {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0
      return {
        readEntries: (ok) => {
          const next = children.slice(at, at + batch)
          at += batch
          queueMicrotask(() => ok(next))
        },
      }
    },
  }
}

describe('folder walker', () => {
  it('walks nested folders to any depth, reading every batch of a directory', async () => {
    const tree = [dir('photos', [file('a.jpg'), file('b.jpg'), file('c.jpg'), dir('2026', [dir('june', [file('d.jpg')]), file('e.jpg')])]), file('top.txt')]
    const walked = await walkEntries(tree)
    expect(walked.map((w) => w.path)).toEqual(['photos/a.jpg', 'photos/b.jpg', 'photos/c.jpg', 'photos/2026/june/d.jpg', 'photos/2026/e.jpg', 'top.txt'])
    expect(await walked[3]?.file.text()).toBe('d.jpg')
  })

  it('keeps an empty folder out and a failing file as an error, not a silent skip', async () => {
    expect(await walkEntries([dir('empty', [])])).toEqual([])
    const broken: WalkEntry = { name: 'x', isFile: true, isDirectory: false, file: (_ok, fail) => fail?.(new Error('gone')) }
    await expect(walkEntries([broken])).rejects.toThrow('gone')
  })

  it('takes items as entries, falls back to plain files when there are none', async () => {
    const withEntries: DropData = { items: [{ kind: 'file', webkitGetAsEntry: () => dir('d', [file('x.txt')]), getAsFile: () => null }] }
    expect((await walkDrop(withEntries)).map((w) => w.path)).toEqual(['d/x.txt'])
    const plain: DropData = {
      items: [
        { kind: 'file', getAsFile: () => new File(['1'], 'one.txt') },
        { kind: 'string', getAsFile: () => null },
      ],
    }
    expect((await walkDrop(plain)).map((w) => w.path)).toEqual(['one.txt'])
    expect((await walkDrop({ files: [new File(['2'], 'two.txt')] })).map((w) => w.path)).toEqual(['two.txt'])
  })
})
