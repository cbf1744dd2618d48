/**
 * `npm run bench` (second part): what the user-site edge costs.
 *
 * 1. The warm handler, in process: time per request of the Lambda@Edge origin-request path
 *    (resolve + cached handle lookup + rewrite) and of the site handler serving from memory.
 * 2. The local edge over HTTP: requests per second for the same files through the local cloud's
 *    edge (handler + S3 emulator) and through a plain static file server (node:http + fs), in
 *    the same run, with the same load generator (a worker thread). Prints a table with the ratio.
 */
import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { startLocalCloud } from '@whimsy/local-cloud'
import mime from 'mime'
import { createUser } from '../../../test/users.js'
import { cachedHandleLookup } from '../src/handle-cache.js'
import { createEdgeHandler } from '../src/lambda-edge.js'
import { createSiteHandler } from '../src/site-handler.js'
import { originRequest } from '../test/fixtures/cloudfront.js'
import { memoryObjects } from '../test/fixtures/memory-objects.js'
import type { LoadJob, LoadResult } from './load.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const ID = 'us-east-1:11111111-1111-4111-8111-111111111111'

// The files both servers serve.
const FILES: Record<string, Buffer> = {
  'index.html': Buffer.from(`<!doctype html><title>bench</title>${'<p>Hello, whimsy.</p>'.repeat(100)}`), // ~2 KiB
  'img/photo.jpg': Buffer.alloc(64 * 1024, 7),
}

function timePerCall(label: string, rounds: number, fn: () => Promise<unknown>): Promise<number> {
  return (async () => {
    for (let i = 0; i < 2000; i++) await fn() // warm: JIT and the handle cache
    const start = performance.now()
    for (let i = 0; i < rounds; i++) await fn()
    const us = ((performance.now() - start) * 1000) / rounds
    process.stderr.write(`  ${label}: ${us.toFixed(2)} µs\n`)
    return us
  })()
}

async function warmHandler(): Promise<[string, number][]> {
  let lookups = 0
  const lookup = cachedHandleLookup(async () => {
    lookups++
    return ID
  })
  const objects = memoryObjects()
  for (const [path, body] of Object.entries(FILES)) objects.put(`${ID}/public/${path}`, body, path.endsWith('.html') ? 'text/html' : 'image/jpeg')
  const edge = createEdgeHandler(
    { sitesDomain: 'whimsy.space', handlesApi: 'https://handles.example.com' },
    { lookupHandle: lookup, objectsFor: () => objects },
  )
  const site = createSiteHandler({ sitesDomain: 'whimsy.space', lookupHandle: lookup, objects })
  const event = originRequest('danielx.whimsy.space', '/blog/2026/hello.html')
  const rows: [string, number][] = [
    ['Lambda@Edge origin-request (resolve + cached lookup + rewrite)', await timePerCall('edge origin-request', 200_000, () => edge(event))],
    [
      'resolve + cached lookup only (site handler `route`)',
      await timePerCall('route', 200_000, () => site.route({ method: 'GET', host: 'danielx.whimsy.space', uri: '/blog/' })),
    ],
    [
      'site handler `serve` from memory (2 KiB index.html)',
      await timePerCall('serve', 200_000, () => site.serve({ method: 'GET', host: 'danielx.whimsy.space', uri: '/' })),
    ],
  ]
  if (lookups !== 1) throw new Error(`a warm handler must not look handles up again (${lookups} lookups)`)
  return rows
}

function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // A TypeScript worker: register tsx's loader inside it first.
    const entry = JSON.stringify(new URL('./load.ts', import.meta.url).href)
    const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}) })`, { eval: true, workerData: job })
    worker.once('message', (r: LoadResult) => {
      resolve(r)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

/** The baseline: the simplest static file server, with the same headers a browser needs. */
function staticServer(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] as string))
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path)
    if (!file.startsWith(root)) {
      res.writeHead(400)
      res.end()
      return
    }
    let size: number
    let mtime: number
    try {
      const s = statSync(file)
      size = s.size
      mtime = s.mtimeMs
    } catch {
      res.writeHead(404)
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': mime.getType(file) ?? 'application/octet-stream', 'content-length': size, etag: `"${size}-${mtime}"` })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-sites-'))
const root = mkdtempSync(join(tmpdir(), 'whimsy-bench-static-'))
process.stderr.write('Warm handler, in process:\n')
const warm = await warmHandler()
const cloud = await startLocalCloud({ dataDir })
const plain = await staticServer(root)
try {
  const info = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }
  const user = await createUser(info, 'bench')
  const handle = `bench-${createHash('sha1').update(user.identityId).digest('hex').slice(0, 8)}`
  const claimed = await fetch(`${cloud.config.handlesApi}/claim`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.idToken}` },
    body: JSON.stringify({ handle }),
  })
  if (!claimed.ok) throw new Error(`claim failed: ${claimed.status}`)
  for (const [path, body] of Object.entries(FILES)) {
    await user.s3.send(new PutObjectCommand({ Bucket: cloud.config.bucket, Key: `${user.identityId}/public/${path}`, Body: body }))
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), body)
  }
  const address = plain.address()
  const plainUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const siteHost = `${handle}.${cloud.config.sitesDomain}`

  const rows: [string, LoadResult, LoadResult, LoadResult][] = []
  const keyPath = (path: string) => `/${cloud.config.bucket}/${encodeURIComponent(user.identityId)}/public/${path}`
  for (const [label, paths, key] of [
    ['index.html (2 KiB)', ['/'], 'index.html'],
    ['photo.jpg (64 KiB)', ['/img/photo.jpg'], 'img/photo.jpg'],
  ] as [string, string[], string][]) {
    process.stderr.write(`Load: ${label}, ${CONNECTIONS} connections, ${SECONDS} s each\n`)
    const edge = await load({ url: cloud.urls.sites, paths, headers: { host: siteHost }, connections: CONNECTIONS, seconds: SECONDS })
    const baseline = await load({ url: plainUrl, paths, headers: {}, connections: CONNECTIONS, seconds: SECONDS })
    // Where the edge's time goes: the same object from the S3 API (anonymous GET through the gateway's S3 front).
    const emulator = await load({ url: cloud.urls.api, paths: [keyPath(key)], headers: {}, connections: CONNECTIONS, seconds: SECONDS })
    if (edge.errors || baseline.errors || emulator.errors)
      throw new Error(`errors under load: edge ${edge.errors}, static ${baseline.errors}, s3 ${emulator.errors}`)
    rows.push([label, edge, baseline, emulator])
  }

  console.log('\nUser-site edge: warm handler, time per request (in process, no network)\n')
  console.log('| path | µs / request |')
  console.log('|---|---:|')
  for (const [name, us] of warm) console.log(`| ${name} | ${us.toFixed(2)} |`)
  console.log(
    `\nLocal edge vs a plain static file server (node:http + fs) on the same files: ${CONNECTIONS} keep-alive connections, ${SECONDS} s each, load from a worker thread\n`,
  )
  console.log('| file | local edge (req/s) | static server (req/s) | ratio edge / static | S3 API alone (req/s) | ratio edge / S3 API |')
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const [name, edge, baseline, emulator] of rows) {
    const e = edge.requests / edge.seconds
    const b = baseline.requests / baseline.seconds
    const s3 = emulator.requests / emulator.seconds
    console.log(`| ${name} | ${e.toFixed(0)} | ${b.toFixed(0)} | ${(e / b).toFixed(2)}× | ${s3.toFixed(0)} | ${(e / s3).toFixed(2)}× |`)
  }
} finally {
  await new Promise((r) => plain.close(r))
  await cloud.stop()
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(root, { recursive: true, force: true })
}
