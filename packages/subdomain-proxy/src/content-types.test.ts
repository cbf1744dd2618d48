import mime from 'mime/lite'
import { describe, expect, it } from 'vitest'
import { contentTypeFor, TYPES, typeOfName } from './content-types.js'

describe('content types', () => {
  it('names every type in the table as the mime package’s standard table does', () => {
    for (const [extension, type] of Object.entries(TYPES)) expect(mime.getType(`a.${extension}`), extension).toBe(type)
  })

  it('knows the files a personal cloud holds', () => {
    const must = 'html css js mjs json txt md csv svg png jpg jpeg gif webp avif mp3 m4a ogg wav mp4 webm mov woff2 pdf zip wasm'
    for (const extension of must.split(' ')) expect(typeOfName(`/x/a.${extension}`), extension).toBeDefined()
  })

  it.each([
    ['/notes/todo.txt', 'text/plain; charset=utf-8'],
    ['/site/index.html', 'text/html; charset=utf-8'],
    ['/site/app.js', 'text/javascript; charset=utf-8'],
    ['/data/a.json', 'application/json; charset=utf-8'],
    ['/site/style.css', 'text/css; charset=utf-8'],
    ['/README.md', 'text/markdown; charset=utf-8'],
    ['/photos/CAT.PNG', 'image/png'],
    ['/photos/a.b.jpeg', 'image/jpeg'],
    ['/logo.svg', 'image/svg+xml'],
    ['/video.mp4', 'video/mp4'],
    ['/notes/README', 'application/octet-stream'],
    ['/a/.env', 'application/octet-stream'],
    ['/a.', 'application/octet-stream'],
    ['/a.unknownext', 'application/octet-stream'],
    ['/a.toString', 'application/octet-stream'],
    ['/a.__proto__', 'application/octet-stream'],
    ['txt', 'text/plain; charset=utf-8'],
    ['C:\\docs\\a.pdf', 'application/pdf'],
  ])('%s is %s', (path, type) => {
    expect(contentTypeFor(path)).toBe(type)
    const expected = mime.getType(path)
    // Where the table knows the name, it agrees with mime; where it does not, the answer is the generic type.
    if (typeOfName(path)) expect(typeOfName(path)).toBe(expected)
  })
})
