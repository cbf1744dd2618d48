/**
 * Wrong arguments (issue 12, "What a new app developer hit → Wrong arguments"): every public
 * call checks its arguments and answers `InvalidInput` naming the call and the argument,
 * before any request. The calls run on a signed-in client whose every endpoint is a closed
 * port, so a check that is missing shows up as `Network` (or a raw TypeError), not as
 * `InvalidInput`. One row per case, in the manner of zen-fs's error tables.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createWhimsy, memoryStorage, type Whimsy, WhimsyError, type WhimsyErrorCode } from '../src/index.js'
import { signedInWhimsy } from './sdk-users.js'
import { errorOf } from './whimsy-errors.js'

const cloud = inject('cloud')
const CLOSED = 'http://127.0.0.1:9'
const closedConfig = {
  ...cloud.config,
  handlesApi: CLOSED,
  endpoints: { cognitoIdentityProvider: CLOSED, cognitoIdentity: CLOSED, s3: CLOSED, dynamodb: CLOSED, sites: CLOSED },
}

const bytes = new Uint8Array(3)
let deep: unknown = []
for (let i = 0; i < 100_000; i++) deep = [deep]

interface Row {
  /** Its source is the row's name: `(w) => w.auth.signIn()`. */
  call: (w: Whimsy) => unknown
  code: WhimsyErrorCode
  message: RegExp
}

// Arguments are deliberately wrong: `as never` lets them past the types, as plain JavaScript would.
const ROWS: Row[] = [
  // the list
  { call: (w) => w.auth.signIn(undefined as never), code: 'InvalidInput', message: /^auth\.signIn takes \{ username, password \}, not nothing\.$/ },
  { call: (w) => w.auth.resendCode(undefined as never), code: 'InvalidInput', message: /^auth\.resendCode takes \{ username \}, not nothing\.$/ },
  { call: (w) => w.auth.deleteAccount(undefined as never), code: 'InvalidInput', message: /^auth\.deleteAccount takes \{ password \}, not nothing\.$/ },
  { call: (w) => w.sites.isAvailable(5 as never), code: 'InvalidInput', message: /^sites\.isAvailable: handle must be a string, not the number 5\.$/ },
  { call: (w) => w.sites.url(5 as never), code: 'InvalidInput', message: /^sites\.url: path must be a string, not the number 5\.$/ },
  {
    call: (w) => w.fs.upload('/a.bin', bytes, { onProgress: 'x' as never }),
    code: 'InvalidInput',
    message: /^fs\.upload: options\.onProgress must be a function, not the string "x"\.$/,
  },
  { call: (w) => w.kv.set('deep', deep), code: 'InvalidInput', message: /kv key "deep" is not JSON: it is nested more than 100 levels deep\.$/ },
  {
    call: () => createWhimsy(cloud.config, { storage: 5 as never }),
    code: 'InvalidInput',
    message: /^createWhimsy: options\.storage must be a session storage \(an object with getItem, setItem, removeItem and clear.*\), not the number 5\.$/,
  },
  {
    call: () => createWhimsy(cloud.config, { onEvent: 'x' as never }),
    code: 'InvalidInput',
    message: /^createWhimsy: options\.onEvent must be a function, not the string "x"\.$/,
  },
  { call: (w) => w.auth.onChange('x' as never), code: 'InvalidInput', message: /^auth\.onChange: listener must be a function, not the string "x"\.$/ },
  {
    call: (w) => w.kv.setMany('str' as never),
    code: 'InvalidInput',
    message: /^kv\.setMany: entries must be an object of key → value, a Map or \[key, value\] pairs, not the string "str"\.$/,
  },
  {
    call: (w) => w.fs.write('/a.txt', 'x', { metadata: 'str' as never }),
    code: 'InvalidInput',
    message: /^fs\.write: options\.metadata must be an object of names to text values.*not the string "str"\.$/,
  },
  {
    call: (w) => w.fs.write('/a.txt', 'x', { contentType: 5 as never }),
    code: 'InvalidInput',
    message: /^fs\.write: options\.contentType must be a media type .*, not the number 5\.$/,
  },
  {
    call: (w) => w.fs.upload('/a.bin', bytes, { concurrency: 0 }),
    code: 'InvalidInput',
    message: /^fs\.upload: options\.concurrency must be a whole number from 1 to 16, not the number 0\.$/,
  },
  {
    call: (w) => w.fs.upload('/a.bin', bytes, { partSize: '8MB' as never }),
    code: 'InvalidInput',
    message: /^fs\.upload: options\.partSize must be a whole number of bytes from 5,242,880 to 5,368,709,120, not the string "8MB"\.$/,
  },
  {
    call: (w) => w.fs.listPage('/', { pageSize: -5 }),
    code: 'InvalidInput',
    message: /^fs\.listPage: options\.pageSize must be a whole number from 1 to 1,000, not the number -5\.$/,
  },
  {
    call: (w) => w.fs.write('/a.txt', 'x', { contentType: 'text/plain\r\nx-amz-acl: public-read' }),
    code: 'InvalidInput',
    message: /^fs\.write: options\.contentType must be a media type such as "text\/plain; charset=utf-8" \(printable ASCII on one line\)/,
  },
  {
    call: (w) => w.fs.write('/a.txt', 'x', { contentType: 'text/html\r\n; x-amz-acl=public-read' }),
    code: 'InvalidInput',
    message: /^fs\.write: options\.contentType must be a media type/,
  },
  { call: (w) => w.kv.get('k', { meat: true } as never), code: 'InvalidInput', message: /^kv\.get: unknown option "meat"; the options are meta, signal\.$/ },
  // the same checks elsewhere in the API
  {
    call: (w) => w.auth.signIn({ username: 'a', password: 'b', remember: true } as never),
    code: 'InvalidInput',
    message: /^auth\.signIn: unknown field "remember"; the fields are username, password\.$/,
  },
  {
    call: (w) => w.auth.signUp({ username: 5, email: 'a@example.com', password: 'x' } as never),
    code: 'InvalidInput',
    message: /^auth\.signUp: input\.username must be a string, not the number 5\.$/,
  },
  {
    call: (w) => w.auth.signOut({ everywhere: 'yes' } as never),
    code: 'InvalidInput',
    message: /^auth\.signOut: options\.everywhere must be true or false, not the string "yes"\.$/,
  },
  { call: (w) => w.sites.claimHandle(5 as never), code: 'InvalidInput', message: /^sites\.claimHandle: handle must be a string, not the number 5\.$/ },
  { call: (w) => w.profile.get(5 as never), code: 'InvalidInput', message: /^profile\.get: handle must be a string, not the number 5\.$/ },
  { call: (w) => w.fs.read('/a.txt', { range: { start: 5, end: 2 } }), code: 'InvalidInput', message: /^fs\.read: options\.range must be \{ start, end\? \}/ },
  {
    call: (w) => w.fs.readText('/a.txt', { range: { from: 0 } as never }),
    code: 'InvalidInput',
    message: /^fs\.readText: options\.range must be \{ start, end\? \}/,
  },
  { call: (w) => w.fs.write('/a.txt', 'x', { signal: 'stop' as never }), code: 'InvalidInput', message: /^fs\.write: options\.signal must be an AbortSignal/ },
  {
    call: (w) => w.fs.write('/a.txt', 'x', { ifNoneMatch: 'yes' as never }),
    code: 'InvalidInput',
    message: /^fs\.write: options\.ifNoneMatch must be "\*", not the string "yes"\.$/,
  },
  { call: (w) => w.fs.list('/', { pageSize: 0 }), code: 'InvalidInput', message: /^fs\.list: options\.pageSize must be a whole number from 1 to 1,000/ },
  { call: (w) => w.fs.remove('/a.txt', { recursive: 'yes' } as never), code: 'InvalidInput', message: /^fs\.remove: options\.recursive must be true or false/ },
  {
    call: (w) => w.fs.copy('/a.txt', '/b.txt', { onProgress: 1 } as never),
    code: 'InvalidInput',
    message: /^fs\.copy: options\.onProgress must be a function, not the number 1\.$/,
  },
  {
    call: (w) => w.fs.move('/a.txt', '/b.txt', { onProgres: () => {} } as never),
    code: 'InvalidInput',
    message: /^fs\.move: unknown option "onProgres"; the options are onProgress, signal, overwrite\.$/,
  },
  {
    call: (w) => w.fs.shareUrl('/a.txt', { expiresIn: '1h' } as never),
    code: 'InvalidInput',
    message: /^fs\.shareUrl: options\.expiresIn must be a whole number of seconds from 1 to 3,300/,
  },
  { call: (w) => w.kv.set('k', 1, 'forever' as never), code: 'InvalidInput', message: /^kv\.set: options must be an object, not the string "forever"\.$/ },
  // issue 12, later: the rest of "every public function checks its arguments"
  {
    call: (w) => w.fs.write('/a.txt', 5 as never),
    code: 'InvalidInput',
    message: /^fs\.write: data must be a string, Blob, File, ArrayBuffer, typed array or ReadableStream, not the number 5\.$/,
  },
  { call: (w) => w.fs.copy('/a.txt', 5 as never), code: 'InvalidPath', message: /^A new name is given as a path string/ },
  // A path is checked when the listing is iterated (before its first request), as fs-names.test.ts expects.
  { call: (w) => w.fs.list(5 as never).next(), code: 'InvalidPath', message: /^5 is not a path/ },
  {
    call: (w) => w.fs.remove('/a.txt', { ifMatch: 5 } as never),
    code: 'InvalidInput',
    message: /^fs\.remove: options\.ifMatch must be printable ASCII text on one line/,
  },
  {
    call: (w) => w.fs.copy('/a.txt', '/b.txt', { overwrite: 'no' } as never),
    code: 'InvalidInput',
    message: /^fs\.copy: options\.overwrite must be true or false, not the string "no"\.$/,
  },
  { call: (w) => w.fs.stat('/a.txt', { signal: 'x' } as never), code: 'InvalidInput', message: /^fs\.stat: options\.signal must be an AbortSignal/ },
  {
    call: (w) => w.fs.mkdir('/d', { recursive: true } as never),
    code: 'InvalidInput',
    message: /^fs\.mkdir: unknown option "recursive"; the options are signal\.$/,
  },
  { call: (w) => w.kv.deleteMany('abc' as never), code: 'InvalidInput', message: /^kv\.deleteMany: keys must be an array of keys, not the string "abc"\.$/ },
  {
    call: (w) => w.kv.getMany(['k'], { meta: 'yes' } as never),
    code: 'InvalidInput',
    message: /^kv\.getMany: options\.meta must be true or false, not the string "yes"\.$/,
  },
  { call: (w) => w.kv.set('k', 1, { signal: {} } as never), code: 'InvalidInput', message: /^kv\.set: options\.signal must be an AbortSignal/ },
  // controls: valid calls on the same client do reach for the network
  { call: (w) => w.kv.get('k'), code: 'Network', message: /Could not reach/ },
  { call: (w) => w.fs.write('/a.txt', 'x', { contentType: 'text/plain; charset=utf-8' }), code: 'Network', message: /Could not reach/ },
]

/** A row's name, from its source as the test runner sees it (types stripped, imports renamed). */
function nameOf(call: Row['call']): string {
  return String(call)
    .replace(/^\(?w?\)?\s*=>\s*(w\.)?/, '')
    .replace(/\(0,\s*__vite_ssr_import_\d+__\.(\w+)\)/g, '$1')
    .replace('cloud.config', 'cfg')
    .replace('(undefined)', '()')
    .replace(/\s+/g, ' ')
}

/** What a call threw or rejected with. */
async function failureOf(call: () => unknown): Promise<WhimsyError> {
  return errorOf((async () => call())())
}

describe('Regression (issue 12, wrong arguments): InvalidInput naming the argument, before any request', () => {
  let closed: Whimsy

  beforeAll(async () => {
    // Signed in through the real cloud, then restored (from the same storage) by a client that
    // can reach nothing: tokens still valid, so restoring needs no request.
    const { storage } = await signedInWhimsy(cloud, 'args')
    closed = createWhimsy(closedConfig, { storage })
    expect(await closed.auth.ready).not.toBeNull()
  })

  for (const { call, code, message } of ROWS) {
    it(code === 'Network' ? `${nameOf(call)} — valid, so it reaches for the network` : nameOf(call), async () => {
      const error = await failureOf(() => call(closed))
      expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.stringMatching(message) })
    })
  }

  it('createWhimsy(cfg, { storage: 5 }) throws at once and leaves no rejection behind', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      expect(() => createWhimsy(cloud.config, { storage: 5 as never })).toThrow(WhimsyError)
      expect(() => createWhimsy(cloud.config, { storage: { getItem: () => null } as never })).toThrow(/options\.storage must be a session storage/)
      expect(() => createWhimsy(cloud.config, { storge: memoryStorage() } as never)).toThrow(
        /^createWhimsy: unknown option "storge"; the options are storage, onEvent\.$/,
      )
      // Node reports a rejection nobody handled once the microtask queue drains, before the
      // next turn's immediates: one turn is enough to see it.
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(unhandled).toEqual([])
  })
})

describe('Regression (issue 12, wrong arguments): reading past the end', () => {
  it('is InvalidInput naming the range and the file, not Unknown; a range that only ends past it is cut to the file', async () => {
    const { whimsy } = await signedInWhimsy(cloud, 'range')
    await whimsy.fs.write('/five.txt', 'hello')
    const error = await errorOf(whimsy.fs.read('/five.txt', { range: { start: 10 } }))
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'InvalidInput',
      message: '/five.txt: the range starts at byte 10, which is past the end of the file.',
    })
    expect(error.status).toBe(416)
    expect(await whimsy.fs.readText('/five.txt', { range: { start: 5 } }).catch((e: WhimsyError) => e.code)).toBe('InvalidInput')
    expect(await whimsy.fs.readText('/five.txt', { range: { start: 3, end: 100 } })).toBe('lo')
  })
})
