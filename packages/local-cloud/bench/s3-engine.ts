/**
 * `npm run bench`: the local cloud's S3 engine beside s3rver 3.7.1, the emulator it replaced,
 * in one run on this machine. Each server runs in a process of its own (`s3-server.ts`) and is
 * called with the same AWS SDK client; rounds alternate between the two so machine drift falls
 * on both. The engine is measured behind the gateway, as clients reach it (SigV4 check and
 * policy evaluation included); s3rver checks nothing. Large uploads are also compared with a
 * plain file write of the same bytes, and each server's peak memory growth (VmHWM, reset
 * before the upload) shows that a body never sits whole in memory.
 *
 * A row provider of `npm run bench`; `tsx packages/local-cloud/bench/s3-engine.ts [--quick]` runs it alone.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { type BenchOptions, type BenchRow, median, row, rowList, unavailable } from '../../../bench/rows.js'
import { runIfMain } from '../../../bench/standalone.js'

interface Server {
  name: string
  child: ChildProcess
  s3: S3Client
  bucket: string
}

const serverScript = fileURLToPath(new URL('./s3-server.ts', import.meta.url))

async function startServer(work: string, kind: 'local-cloud' | 's3rver', name: string): Promise<Server> {
  // s3rver encrypts ListObjectsV2 continuation tokens with DES: Node 20 needs the legacy provider.
  const execArgv = kind === 's3rver' ? ['--openssl-legacy-provider'] : []
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', serverScript, kind, join(work, kind)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    rl.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before it was ready`)))
  })
  const info = JSON.parse(line) as { endpoint: string; bucket: string; credentials: { accessKeyId: string; secretAccessKey: string } }
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: info.endpoint,
    forcePathStyle: true,
    credentials: info.credentials,
    // s3rver stores the aws-chunked framing of checksummed stream bodies; both get plain bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 32 } }),
  })
  return { name, child, s3, bucket: info.bucket }
}

/** Peak resident memory of a process since the last reset, in bytes (Linux `VmHWM`). */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
}

/** Resets VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`), so the next peak is this step's. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

async function inBatches(total: number, parallel: number, fn: (i: number) => Promise<unknown>) {
  let next = 0
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) await fn(next++)
    }),
  )
}

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  const { quick } = options
  // Sized so the whole comparison takes about a minute on the loaded machine: the ratios are
  // large (a listing five times faster, uploads three times slower) next to run-to-run noise.
  const SMALL_OPS = quick ? 100 : 200
  const LIST_KEYS = quick ? 500 : 5000
  const LARGE_MB = quick ? 10 : 200
  const LARGE_ROUNDS = 1
  const LIST_ROUNDS = quick ? 2 : 3
  const fmt = (n: number) => n.toLocaleString('en-US')
  const out = rowList(options)
  const work = mkdtempSync(join(tmpdir(), 'whimsy-bench-s3-'))
  const engine = await startServer(work, 'local-cloud', 'engine')
  const legacy = await startServer(work, 's3rver', 's3rver')
  const servers = [engine, legacy]
  try {
    const body = Buffer.alloc(1024, 7)
    const key = (i: number) => `bench/small/${i % 100}.bin`
    for (const s of servers) for (let i = 0; i < 100; i++) await s.s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: key(i), Body: body }))

    // Small calls: blocks of 50 alternate between the servers; ops/s over all blocks.
    const opsPerSecond = async (op: (s: Server, i: number) => Promise<unknown>): Promise<[number, number]> => {
      const spent = new Map<Server, number>(servers.map((s) => [s, 0]))
      for (let block = 0; block < SMALL_OPS / 50; block++)
        for (const s of block % 2 ? [...servers].reverse() : servers) {
          const t = performance.now()
          for (let i = 0; i < 50; i++) await op(s, block * 50 + i)
          spent.set(s, (spent.get(s) ?? 0) + performance.now() - t)
        }
      const rate = (s: Server) => SMALL_OPS / ((spent.get(s) ?? 1) / 1000)
      return [rate(engine), rate(legacy)]
    }
    const [putE, putL] = await opsPerSecond((s, i) => s.s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: key(i), Body: body })))
    out.push(row('1 KiB PutObject, sequential: engine vs s3rver', putE, putL, 'ops/s', SMALL_OPS))
    const [getE, getL] = await opsPerSecond(async (s, i) =>
      (await s.s3.send(new GetObjectCommand({ Bucket: s.bucket, Key: key(i) }))).Body?.transformToByteArray(),
    )
    out.push(row('1 KiB GetObject, sequential: engine vs s3rver', getE, getL, 'ops/s', SMALL_OPS))

    // Listing: seed LIST_KEYS keys in folders, then page through all of them (1,000 a page).
    for (const s of servers)
      await inBatches(LIST_KEYS, 16, (i) =>
        s.s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: `bench/list/${String(i % 100).padStart(2, '0')}/${i}.txt`, Body: 'x' })),
      )
    const listTimes = new Map<Server, number[]>(servers.map((s) => [s, []]))
    for (let round = 0; round < LIST_ROUNDS; round++)
      for (const s of round % 2 ? [...servers].reverse() : servers) {
        const t = performance.now()
        let token: string | undefined
        let seen = 0
        do {
          const page = await s.s3.send(new ListObjectsV2Command({ Bucket: s.bucket, Prefix: 'bench/list/', ContinuationToken: token }))
          seen += page.KeyCount ?? 0
          token = page.NextContinuationToken
        } while (token)
        if (seen !== LIST_KEYS) throw new Error(`${s.name} listed ${seen} of ${LIST_KEYS} keys`)
        listTimes.get(s)?.push(performance.now() - t)
      }
    const [listE, listL] = servers.map((s) => median(listTimes.get(s) ?? []))
    out.push(row(`list ${fmt(LIST_KEYS)} keys, 1,000 a page: engine vs s3rver`, listE as number, listL as number, 'ms', LIST_ROUNDS))

    // Large upload: one PutObject streamed from a file; baseline: the same bytes written to a file.
    const file = join(work, 'large.bin')
    const handle = await open(file, 'w')
    const chunk = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < LARGE_MB; i++) await handle.write(chunk.fill(i % 251))
    await handle.close()
    const bytes = LARGE_MB * 1024 * 1024
    const uploadMBps = new Map<Server, number[]>(servers.map((s) => [s, []]))
    const growth = new Map<Server, number>()
    const plain: number[] = []
    for (let round = 0; round < LARGE_ROUNDS; round++) {
      for (const s of round % 2 ? [...servers].reverse() : servers) {
        const pid = s.child.pid as number
        const before = readFileSync(`/proc/${pid}/status`, 'utf8')
        const rssBefore = Number(/VmRSS:\s+(\d+) kB/.exec(before)?.[1] ?? 0) * 1024
        const canReset = resetPeak(pid)
        const t = performance.now()
        await s.s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'bench/large.bin', Body: createReadStream(file), ContentLength: bytes }))
        uploadMBps.get(s)?.push(LARGE_MB / ((performance.now() - t) / 1000))
        if (canReset) growth.set(s, Math.max(growth.get(s) ?? 0, peakRss(pid) - rssBefore))
      }
      const t = performance.now()
      const out = createWriteStream(join(work, 'plain-copy.bin'))
      await pipeline(createReadStream(file), out)
      const fd = await open(join(work, 'plain-copy.bin'), 'r+')
      await fd.sync()
      await fd.close()
      plain.push(LARGE_MB / ((performance.now() - t) / 1000))
    }
    const upE = median(uploadMBps.get(engine) ?? [])
    const upL = median(uploadMBps.get(legacy) ?? [])
    const plainMBps = median(plain)
    out.push(row(`${LARGE_MB} MB PutObject: engine vs s3rver`, upE, upL, 'MB/s', LARGE_ROUNDS))
    out.push(
      row(
        `${LARGE_MB} MB PutObject: engine vs a plain file write of the same bytes (fsync'd)`,
        upE,
        plainMBps,
        'MB/s',
        LARGE_ROUNDS,
        `s3rver: ${(upL / plainMBps).toFixed(2)}× the plain write`,
      ),
    )
    if (growth.size)
      out.push(
        row(
          `peak RSS growth of the server during the ${LARGE_MB} MB upload: engine vs s3rver`,
          (growth.get(engine) ?? 0) / 1048576,
          (growth.get(legacy) ?? 0) / 1048576,
          'MB',
          LARGE_ROUNDS,
        ),
      )
    else out.push(unavailable('peak RSS growth of the server during the upload', 'MB', 'not measured: /proc/<pid>/clear_refs is not writable here'))
    return out
  } finally {
    for (const s of servers) {
      s.s3.destroy()
      s.child.stdin?.end()
      await new Promise((r) => s.child.once('exit', r))
    }
    rmSync(work, { recursive: true, force: true })
  }
}

await runIfMain(import.meta.url, 'S3 engine vs s3rver', rows)
