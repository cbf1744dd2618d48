/**
 * `npm start`: runs the local cloud in the foreground until Ctrl-C.
 *   --reset            start with an empty data directory
 *   --port <n>         app on n, API on n+1, user sites on n+2 (default 4300)
 *   --data-dir <path>  where data lives (default .whimsy at the repository root)
 * The example apps are served beside it on port n+3, an origin of their own (examples/server.ts).
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startLocalCloud } from './local-cloud.js'
import { PortInUseError } from './ports.js'

const DEFAULT_PORT = 4300

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reset: { type: 'boolean', default: false },
      port: { type: 'string', default: String(DEFAULT_PORT) },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log('Usage: npm start -- [--reset] [--port 4300] [--data-dir .whimsy]')
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 1 || port > 65532) throw new Error(`--port must be a port number, not ${values.port}`)
  const started = Date.now()
  console.log(values.reset ? 'Starting Whimsy Space from an empty data directory…' : 'Starting Whimsy Space…')
  const cloud = await startLocalCloud({
    // npm runs workspace scripts inside the package; INIT_CWD is where `npm start` was typed.
    dataDir: resolve(process.env.INIT_CWD ?? process.cwd(), values['data-dir'] ?? process.env.WHIMSY_DATA_DIR ?? '.whimsy'),
    reset: values.reset,
    appPort: port,
    apiPort: port + 1,
    sitesPort: port + 2,
    // The examples are a third-party app the handle registry trusts, as production's appOrigins would list one.
    appOrigins: [`http://localhost:${port + 3}`, `http://127.0.0.1:${port + 3}`],
    log: (line) => console.log(line),
  })
  // A child process, not an import: nothing outside examples/ may import an app (dependency rules).
  const examplesServer = resolve(import.meta.dirname, '../../../examples/server.ts')
  const examples = spawn(process.execPath, ['--import', 'tsx', examplesServer, '--port', String(port + 3), '--config', cloud.urls.config], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const rows: [string, string][] = [
    ['App', cloud.urls.app],
    ['API (S3, DynamoDB, Cognito)', cloud.urls.api],
    ['SDK configuration', cloud.urls.config],
    ['SDK for pages (ES module)', cloud.urls.sdk],
    ['Examples', `http://localhost:${port + 3}/`],
    ['Mailbox (sign-up codes)', cloud.urls.mailbox],
    ['User sites', `${cloud.config.sitesProtocol ?? 'http'}://<handle>.${cloud.config.sitesDomain}/`],
    ['Data directory', cloud.dataDir],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  console.log(`\nWhimsy Space is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s):\n`)
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`)
  console.log('\nConfirmation codes are printed here as they are sent. Press Ctrl-C to stop.\n')

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping…`)
    examples.kill()
    await cloud.stop()
    console.log('Stopped.')
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((e: unknown) => {
  if (e instanceof PortInUseError) console.error(`\nCannot start: ${e.message}`)
  else console.error('\nCannot start Whimsy Space:', e instanceof Error ? e.message : e)
  process.exit(1)
})
