/**
 * A small closed-loop load generator, run in a worker thread so it does not share the event
 * loop of the servers it measures: `connections` keep-alive connections, each sending the next
 * request as soon as the previous answer has been read, for `seconds`.
 */
import { Agent, request } from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'

export interface LoadJob {
  url: string
  /** Request paths, cycled through. */
  paths: string[]
  headers: Record<string, string>
  connections: number
  seconds: number
}

export interface LoadResult {
  requests: number
  errors: number
  seconds: number
  bytes: number
}

async function run(job: LoadJob): Promise<LoadResult> {
  const target = new URL(job.url)
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections })
  const deadline = performance.now() + job.seconds * 1000
  let requests = 0
  let errors = 0
  let bytes = 0
  let next = 0
  const one = () =>
    new Promise<void>((resolve) => {
      const path = job.paths[next++ % job.paths.length] as string
      const req = request({ agent, host: target.hostname, port: target.port, path, headers: job.headers }, (res) => {
        res.on('data', (c: Buffer) => {
          bytes += c.length
        })
        res.on('end', () => {
          if (res.statusCode === 200) requests++
          else errors++
          resolve()
        })
      })
      req.on('error', () => {
        errors++
        resolve()
      })
      req.end()
    })
  const started = performance.now()
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (performance.now() < deadline) await one()
    }),
  )
  agent.destroy()
  return { requests, errors, bytes, seconds: (performance.now() - started) / 1000 }
}

if (parentPort && workerData) {
  const port = parentPort
  run(workerData as LoadJob).then((r) => port.postMessage(r))
}
