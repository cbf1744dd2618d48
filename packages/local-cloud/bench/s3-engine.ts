/**
 * `npm run bench`: the local cloud's S3 engine beside s3rver 3.7.1, the emulator it replaced,
 * in one run on this machine. Each server runs in a process of its own (`s3-server.ts`) and is
 * called with the same AWS SDK client; rounds alternate between the two so machine drift falls
 * on both. The engine is measured behind the gateway, as clients reach it (SigV4 check and
 * policy evaluation included); s3rver checks nothing. Large uploads are also compared with a
 * plain file write of the same bytes, and each server's peak memory growth (VmHWM, reset
 * before the upload) shows that a body never sits whole in memory.
 *
 * `--quick` runs a smaller version.
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

const quick = process.argv.includes('--quick')
const SMALL_OPS = quick ? 200 : 1000
const LIST_KEYS = quick ? 2000 : 10_000
const LARGE_MB = quick ? 50 : 200
const LARGE_ROUNDS = quick ? 1 : 2
const LIST_ROUNDS = quick ? 2 : 3

interface Server {
  name: string
  child: ChildProcess
  s3: S3Client
  bucket: string
}

const work = mkdtempSync(join(tmpdir(), 'whimsy-bench-s3-'))
const serverScript = fileURLToPath(new URL('./s3-server.ts', import.meta.url))

async function startServer(kind: 'local-cloud' | 's3rver', name: string): Promise<Server> {
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function inBatches(total: number, parallel: number, fn: (i: number) => Promise<unknown>) {
  let next = 0
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) await fn(next++)
    }),
  )
}

const rows: { what: string; engine: string; s3rver: string; ratio: string }[] = []
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const engine = await startServer('local-cloud', 'engine')
const legacy = await startServer('s3rver', 's3rver')
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
  rows.push({ what: '1 KiB PutObject (ops/s, sequential)', engine: fmt(putE), s3rver: fmt(putL), ratio: `${(putE / putL).toFixed(2)}×` })
  const [getE, getL] = await opsPerSecond(async (s, i) =>
    (await s.s3.send(new GetObjectCommand({ Bucket: s.bucket, Key: key(i) }))).Body?.transformToByteArray(),
  )
  rows.push({ what: '1 KiB GetObject (ops/s, sequential)', engine: fmt(getE), s3rver: fmt(getL), ratio: `${(getE / getL).toFixed(2)}×` })

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
  rows.push({
    what: `list ${fmt(LIST_KEYS)} keys (ms, median of ${LIST_ROUNDS})`,
    engine: fmt(listE as number, 1),
    s3rver: fmt(listL as number, 1),
    ratio: `${((listE as number) / (listL as number)).toFixed(2)}×`,
  })

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
  rows.push({
    what: `${LARGE_MB} MB PutObject (MB/s)`,
    engine: fmt(upE, 1),
    s3rver: fmt(upL, 1),
    ratio: `${(upE / upL).toFixed(2)}×`,
  })
  rows.push({
    what: `${LARGE_MB} MB PutObject vs a plain file write (${fmt(plainMBps, 1)} MB/s, fsync'd)`,
    engine: `${(upE / plainMBps).toFixed(2)}×`,
    s3rver: `${(upL / plainMBps).toFixed(2)}×`,
    ratio: '',
  })
  if (growth.size)
    rows.push({
      what: `peak RSS growth during the ${LARGE_MB} MB upload (MB)`,
      engine: fmt((growth.get(engine) ?? 0) / 1048576, 1),
      s3rver: fmt((growth.get(legacy) ?? 0) / 1048576, 1),
      ratio: '',
    })
  else rows.push({ what: 'peak RSS growth', engine: 'not measured: /proc/<pid>/clear_refs is not writable here', s3rver: '', ratio: '' })

  console.log(`\nS3: the local cloud's engine (behind the gateway) beside s3rver 3.7.1, one run${quick ? ' (--quick)' : ''}; ratio = engine / s3rver\n`)
  console.log('| what | engine | s3rver | ratio |')
  console.log('|---|---:|---:|---:|')
  for (const r of rows) console.log(`| ${r.what} | ${r.engine} | ${r.s3rver} | ${r.ratio} |`)
} finally {
  for (const s of servers) {
    s.s3.destroy()
    s.child.stdin?.end()
    await new Promise((r) => s.child.once('exit', r))
  }
  rmSync(work, { recursive: true, force: true })
}
