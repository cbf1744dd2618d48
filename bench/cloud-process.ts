/**
 * The local cloud in a process of its own, for benchmarks that measure the client's memory:
 * prints one JSON line (the `CloudInfo` tests get), serves until stdin closes or SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalCloud } from '@whimsy/local-cloud'

const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-child-'))
const cloud = await startLocalCloud({ dataDir })
console.log(JSON.stringify({ config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }))
const stop = () =>
  void cloud.stop().then(() => {
    rmSync(dataDir, { recursive: true, force: true })
    process.exit(0)
  })
process.stdin.resume()
process.stdin.on('end', stop)
process.on('SIGTERM', stop)
