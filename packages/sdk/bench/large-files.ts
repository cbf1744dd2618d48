/**
 * Large files: a 200 MB upload and download through `whimsy.fs` against one raw `PutObject` /
 * `GetObject` of the same bytes (MB/s), and how much this process's peak memory grows during
 * each upload. The local cloud runs in a child process, so this process's memory is the
 * client's alone. A row provider of `npm run bench`;
 * `tsx packages/sdk/bench/large-files.ts [--quick]` runs it alone.
 */
import { createReadStream, mkdtempSync, openAsBlob, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { runnersCloud, signedInUser, startCloudProcess } from '../../../bench/cloud.js'
import { type BenchOptions, type BenchRow, median, row, rowList } from '../../../bench/rows.js'
import { runIfMain } from '../../../bench/standalone.js'

const MiB = 1024 * 1024

// A full collection before each upload, so one side's leftover heap is not the other's head start.
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

function rss(field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024
}

/** Resets this process's VmHWM to its current RSS (Linux `clear_refs` 5); false where that is not allowed. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const MB = options.quick ? 20 : 200
  // One round of each transfer: each lasts seconds, long enough that a burst of load elsewhere
  // moves it little; the raw upload goes first, so our memory growth is not understated.
  const ROUNDS = 1
  const work = mkdtempSync(join(tmpdir(), 'whimsy-bench-large-'))
  // The runner's shared cloud runs in a process of its own already; run alone, this starts one.
  const cloud = runnersCloud() ?? (await startCloudProcess())
  try {
    const { whimsy, identityId, s3 } = await signedInUser(cloud.info, 'bench-large')
    const Bucket = cloud.info.config.bucket
    const file = join(work, 'large.bin')
    const handle = await open(file, 'w')
    const chunk = Buffer.alloc(MiB)
    for (let i = 0; i < MB; i++) await handle.write(chunk.fill(i % 251))
    await handle.close()
    const bytes = MB * MiB

    const up = { ours: [] as number[], baseline: [] as number[] }
    const down = { ours: [] as number[], baseline: [] as number[] }
    const growth = { ours: 0, baseline: 0 }
    let peaks = true
    const upload = async (side: 'ours' | 'baseline') => {
      collect()
      const before = rss('VmRSS')
      peaks = resetPeak() && peaks
      const t = performance.now()
      if (side === 'ours') await whimsy.fs.upload('/large.bin', await openAsBlob(file))
      else await s3.send(new PutObjectCommand({ Bucket, Key: `${identityId}/large-raw.bin`, Body: createReadStream(file), ContentLength: bytes }))
      up[side].push(MB / ((performance.now() - t) / 1000))
      growth[side] = Math.max(growth[side], rss('VmHWM') - before)
    }
    const download = async (side: 'ours' | 'baseline') => {
      const t = performance.now()
      let seen = 0
      const body =
        side === 'ours'
          ? await whimsy.fs.stream('/large.bin')
          : ((await s3.send(new GetObjectCommand({ Bucket, Key: `${identityId}/large-raw.bin` }))).Body?.transformToWebStream() as ReadableStream<Uint8Array>)
      for await (const part of body) seen += part.byteLength
      if (seen !== bytes) throw new Error(`${side} downloaded ${seen} of ${bytes} bytes`)
      down[side].push(MB / ((performance.now() - t) / 1000))
    }
    for (let i = 0; i < ROUNDS; i++) {
      options.log(`  round ${i + 1} of ${ROUNDS}: ${MB} MB up and down, each side`)
      // The raw upload first in the first round: it gets the cleaner heap, so our growth is not understated.
      for (const side of i % 2 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const)) await upload(side)
      for (const side of i % 2 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const)) await download(side)
    }
    s3.destroy()
    const out = rowList(options)
    out.push(
      row(
        `${MB} MB upload: whimsy.fs.upload (a file-backed Blob) vs one PutObject streamed from the file`,
        median(up.ours),
        median(up.baseline),
        'MB/s',
        ROUNDS,
      ),
      row(`${MB} MB download: whimsy.fs.stream vs one GetObject, bodies drained`, median(down.ours), median(down.baseline), 'MB/s', ROUNDS),
    )
    out.push(
      peaks
        ? row(
            `peak memory growth of the client during the ${MB} MB upload: whimsy.fs.upload vs PutObject`,
            growth.ours / MiB,
            growth.baseline / MiB,
            'MB',
            ROUNDS,
            'VmHWM after a reset minus VmRSS before, this process only (the cloud runs in another)',
          )
        : {
            ...row('peak memory growth of the client during the upload', 0, 0, 'MB', 0),
            ours: null,
            baseline: null,
            ratio: null,
            note: 'not measured: /proc/self/clear_refs is not writable here',
          },
    )
    return out
  } finally {
    await cloud.stop()
    rmSync(work, { recursive: true, force: true })
  }
}

await runIfMain(import.meta.url, 'Large files', rows)
