import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { noHeaders, openTestEngine, type TestEngine } from './fixture.js'

let t: TestEngine
beforeEach(async () => {
  t = await openTestEngine()
  await t.engine.createBucket('files')
})
afterEach(async () => {
  await t.dispose()
})

const CHUNK = 64 * 1024
const SIZE = 200 * 1024 * 1024

/** 200 MB produced on demand: the test itself never holds the body either. */
function generated(): Readable {
  let sent = 0
  const chunk = Buffer.alloc(CHUNK)
  return new Readable({
    read() {
      if (sent >= SIZE) return this.push(null)
      chunk.writeUInt32BE(sent / CHUNK)
      sent += CHUNK
      this.push(Buffer.from(chunk))
    },
  })
}

describe('large bodies stream', () => {
  it('a 200 MB put and get keep memory flat', async () => {
    const expected = createHash('md5')
    for await (const chunk of generated()) expected.update(chunk as Buffer)
    const before = process.memoryUsage().rss
    let peak = before
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 20)
    try {
      const written = await t.engine.putObject({ bucket: 'files', key: 'big', body: generated(), headers: noHeaders(), integrity: { expectedLength: SIZE } })
      expect(written.etag).toBe(`"${expected.digest('hex')}"`)
      const got = await t.engine.getObject({ bucket: 'files', key: 'big' })
      let size = 0
      for await (const chunk of got.body!) size += (chunk as Buffer).length
      expect(size).toBe(SIZE)
    } finally {
      clearInterval(sample)
    }
    expect(peak - before).toBeLessThan(64 * 1024 * 1024)
  }, 120_000)
})
