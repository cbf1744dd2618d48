/**
 * User sites: what the user-site edge costs.
 *
 * 1. The warm handler, in process: time per request (p50, p99) of the Lambda@Edge
 *    origin-request path (resolve + cached handle lookup + rewrite) and of the site handler
 *    serving from memory, beside a bare Host + path → key map lookup, calls alternating.
 * 2. A cold handle: the first request for a just-claimed handle through the local edge (the
 *    registry lookup included) against the next, warm request for the same file.
 * 3. The local edge over HTTP: requests per second for the same files through the local cloud's
 *    edge (handler + S3 engine) and through a plain static file server (node:http + fs), in
 *    the same run, with the same load generator (a worker thread).
 *
 * A row provider of `npm run bench`; `tsx packages/subdomain-proxy/bench/site-edge.ts [--quick]` runs it alone.
 */
import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { startLocalCloud } from '@whimsy/local-cloud'
import mime from 'mime'
import { type BenchOptions, type BenchRow, interleaved, median, percentile, row, rowList } from '../../../bench/rows.js'
import { runIfMain } from '../../../bench/standalone.js'
import type { CloudInfo } from '../../../test/cloud-info.js'
import { createUser } from '../../../test/users.js'
import { cachedHandleLookup } from '../src/handle-cache.js'
import { createEdgeHandler } from '../src/lambda-edge.js'
import { createSiteHandler } from '../src/site-handler.js'
import { originRequest } from '../test/fixtures/cloudfront.js'
import { memoryObjects } from '../test/fixtures/memory-objects.js'
import type { LoadJob, LoadResult } from './load.js'

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const ID = 'us-east-1:11111111-1111-4111-8111-111111111111'

// The files both servers serve.
const FILES: Record<string, Buffer> = {
  'index.html': Buffer.from(`<!doctype html><title>bench</title>${'<p>Hello, whimsy.</p>'.repeat(100)}`), // ~2 KiB
  'img/photo.jpg': Buffer.alloc(64 * 1024, 7),
}

/** Warm in-process handlers, each call timed on its own, alternating with the bare lookup. */
async function warmRows(out: BenchRow[], rounds: number): Promise<void> {
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
  // The least any edge does per request: split the Host, find the owner, join a key.
  const owners = new Map([['danielx', ID]])
  const bare = async (host: string, uri: string) => {
    const owner = owners.get(host.slice(0, host.indexOf('.')))
    return owner ? `${owner}/public${uri.endsWith('/') ? `${uri}index.html` : uri}` : null
  }
  const measure = async (name: string, ours: () => Promise<unknown>, baseline: () => Promise<unknown>) => {
    const t = await interleaved(rounds, ours, baseline, 2000)
    const us = (xs: number[]) => xs.map((x) => x * 1000)
    for (const p of [50, 99])
      out.push(row(`${name}, p${p} vs a bare Host + path → key map lookup`, percentile(us(t.ours), p), percentile(us(t.baseline), p), 'µs', rounds))
  }
  await measure(
    'warm Lambda@Edge origin-request (resolve + cached lookup + rewrite)',
    () => edge(event),
    () => bare('danielx.whimsy.space', '/blog/2026/hello.html'),
  )
  await measure(
    'warm site handler `serve` from memory (2 KiB index.html)',
    () => site.serve({ method: 'GET', host: 'danielx.whimsy.space', uri: '/' }),
    () => bare('danielx.whimsy.space', '/'),
  )
  if (lookups !== 1) throw new Error(`a warm handler must not look handles up again (${lookups} lookups)`)
}

/** A user with a claimed handle and the bench files in their public folder. */
async function siteOwner(info: CloudInfo): Promise<string> {
  const user = await createUser(info, 'bench')
  const handle = `bench-${createHash('sha1').update(user.identityId).digest('hex').slice(0, 8)}`
  const claimed = await fetch(`${info.config.handlesApi}/claim`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.idToken}` },
    body: JSON.stringify({ handle }),
  })
  if (!claimed.ok) throw new Error(`claim failed: ${claimed.status}`)
  for (const [path, body] of Object.entries(FILES))
    await user.s3.send(new PutObjectCommand({ Bucket: info.config.bucket, Key: `${user.identityId}/public/${path}`, Body: body }))
  user.s3.destroy()
  user.ddb.destroy()
  return `${handle}.${info.config.sitesDomain}`
}

/** One GET through the local edge (Host names the site), in ms. */
async function timedGet(sitesUrl: string, host: string): Promise<number> {
  const url = new URL(sitesUrl)
  const t = performance.now()
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/', headers: { host }, agent: false }, (res) => {
      res.resume()
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`edge answered ${res.statusCode}`))))
    })
    req.on('error', reject)
    req.end()
  })
  return performance.now() - t
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

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  // 2 s a round: at hundreds of requests a second and more, the rate settles within the first second.
  const seconds = options.quick ? 1 : 2
  options.log('  warm handler, in process')
  const out = rowList(options)
  // 50,000 timed calls a side: p99 is then the 500th slowest, no longer one stray pause.
  await warmRows(out, options.quick ? 10_000 : 50_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-sites-'))
  const root = mkdtempSync(join(tmpdir(), 'whimsy-bench-static-'))
  const cloud = await startLocalCloud({ dataDir })
  const plain = await staticServer(root)
  try {
    const info = { config: cloud.config, urls: cloud.urls, admin: cloud.admin, dataDir }
    const coldRounds = options.quick ? 2 : 3
    options.log(`  ${coldRounds} cold handles`)
    const cold: number[] = []
    const warm: number[] = []
    let siteHost = ''
    for (let i = 0; i < coldRounds; i++) {
      siteHost = await siteOwner(info)
      cold.push(await timedGet(cloud.urls.sites, siteHost))
      warm.push(await timedGet(cloud.urls.sites, siteHost))
    }
    out.push(
      row(
        'cold (uncached) handle through the local edge vs the same request warm',
        median(cold),
        median(warm),
        'ms',
        coldRounds,
        'first GET / after the claim: the registry lookup included; new connection each',
      ),
    )
    for (const [path, body] of Object.entries(FILES)) {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), body)
    }
    const address = plain.address()
    const plainUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    for (const [label, paths] of [
      ['index.html (2 KiB)', ['/']],
      ['photo.jpg (64 KiB)', ['/img/photo.jpg']],
    ] as [string, string[]][]) {
      options.log(`  load: ${label}, ${CONNECTIONS} connections, ${seconds} s each side, twice`)
      const rates = { edge: [] as number[], plain: [] as number[] }
      // Two rounds each, order flipped, so a burst of load elsewhere falls on both.
      for (const order of [
        ['edge', 'plain'],
        ['plain', 'edge'],
      ] as const)
        for (const side of order) {
          const r =
            side === 'edge'
              ? await load({ url: cloud.urls.sites, paths, headers: { host: siteHost }, connections: CONNECTIONS, seconds })
              : await load({ url: plainUrl, paths, headers: {}, connections: CONNECTIONS, seconds })
          if (r.errors) throw new Error(`${r.errors} errors under load (${side})`)
          rates[side].push(r.requests / r.seconds)
        }
      out.push(
        row(
          `local edge under load, ${label} vs a plain static server (node:http + fs) on the same files`,
          median(rates.edge),
          median(rates.plain),
          'req/s',
          2,
          `${CONNECTIONS} keep-alive connections, ${seconds} s a round, load from a worker thread`,
        ),
      )
    }
  } finally {
    await new Promise((r) => plain.close(r))
    await cloud.stop()
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(root, { recursive: true, force: true })
  }
  return out
}

await runIfMain(import.meta.url, 'User sites', rows)
