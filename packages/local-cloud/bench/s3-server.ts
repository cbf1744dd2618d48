/**
 * One S3 server for `bench/s3-engine.ts`, in a process of its own so its memory is measured
 * apart from the client's: `tsx s3-server.ts local-cloud <dir>` (the gateway and the engine,
 * as `npm start` runs them) or `tsx s3-server.ts s3rver <dir>` (s3rver 3.7.1, what the engine
 * replaced). Prints one JSON line `{ endpoint, bucket, credentials }`, then serves until stdin closes.
 */
import S3rver from 's3rver'
import { startLocalCloud } from '../src/index.js'
import { freePort } from '../src/ports.js'

const [kind, dir] = process.argv.slice(2)
if (!dir || (kind !== 'local-cloud' && kind !== 's3rver')) {
  console.error('usage: s3-server.ts <local-cloud|s3rver> <dir>')
  process.exit(2)
}

let stop: () => Promise<void>
if (kind === 'local-cloud') {
  const cloud = await startLocalCloud({ dataDir: dir, reset: true })
  console.log(JSON.stringify({ endpoint: cloud.urls.api, bucket: cloud.config.bucket, credentials: cloud.admin }))
  stop = () => cloud.stop()
} else {
  const port = await freePort()
  const server = new S3rver({ address: '127.0.0.1', port, directory: dir, silent: true, configureBuckets: [{ name: 'bench' }] })
  await server.run()
  console.log(JSON.stringify({ endpoint: `http://127.0.0.1:${port}`, bucket: 'bench', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }))
  stop = () => server.close()
}
process.stdin.resume()
process.stdin.on('end', () => void stop().then(() => process.exit(0)))
process.on('SIGTERM', () => void stop().then(() => process.exit(0)))
