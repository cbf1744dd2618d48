/**
 * Starts the emulators (dynalite, cognito-local) as child processes bound to 127.0.0.1 on free
 * ports. Their ports are internal: clients only ever get the gateway's. (S3 is no emulator any
 * more: the local cloud's own engine runs in process, see `../s3/engine/`.)
 */
import { type ChildProcess, fork } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../ports.js'

export type EmulatorKind = 'dynamodb' | 'cognito'

export interface MailMessage {
  username: string
  destination: string
  code?: string
  subject?: string
  body?: string
}

export interface Emulator {
  kind: EmulatorKind
  url: string
  port: number
  pid: number
  /** Called once, when the process exits after it started (a stop included). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void
  stop(): Promise<void>
}

/** What the child learns over its IPC channel before it loads the emulator. */
export interface EmulatorInit {
  /** Requests without `x-whimsy-upstream: <secret>` are refused (see `emulatorHeaders`). */
  upstreamSecret?: string
  /** cognito-local signs its tokens with this key instead of the one shipped in its package. */
  signingKey?: { privateKeyPem: string; publicKeyPem: string; publicJwk: JsonWebKey & { kid: string } }
}

const LAUNCHER = fileURLToPath(new URL('./emulator-process.cjs', import.meta.url))

const STARTUP_TIMEOUT_MS = 20_000

export interface StartEmulatorOptions {
  kind: EmulatorKind
  dataDir: string
  logDir: string
  onMessage?: (message: MailMessage) => void
  /** Default: a free one. A restarted emulator takes its old port again. */
  port?: number
  init?: EmulatorInit
}

export async function startEmulator({ kind, dataDir, logDir, onMessage, port: wanted, init }: StartEmulatorOptions): Promise<Emulator> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  mkdirSync(logDir, { recursive: true, mode: 0o700 })
  const port = wanted ?? (await freePort())
  const logFile = join(logDir, `${kind}.log`)
  const log = createWriteStream(logFile, { flags: 'a' })
  const child = fork(LAUNCHER, [kind, String(port), dataDir], {
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  child.stdout?.pipe(log)
  const stderrTail: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk)
    stderrTail.push(chunk.toString())
    if (stderrTail.length > 20) stderrTail.shift()
  })
  child.on('message', (m: { type?: string; message?: MailMessage }) => {
    if (m.type === 'message' && m.message) onMessage?.(m.message)
  })
  child.once('exit', () => log.end())
  // A child that dies before reading it is reported by the exit handler below.
  child.send({ type: 'init', ...init }, () => {})

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${kind} emulator did not start within ${STARTUP_TIMEOUT_MS / 1000} s (log: ${logFile})`))
    }, STARTUP_TIMEOUT_MS)
    const onReady = (m: { type?: string }) => {
      if (m.type !== 'ready') return
      clearTimeout(timer)
      child.off('exit', onExit)
      resolve()
    }
    const onExit = (code: number | null) => {
      clearTimeout(timer)
      reject(new Error(`${kind} emulator exited with code ${code} while starting (log: ${logFile}):\n${stderrTail.join('').trim()}`))
    }
    child.on('message', onReady)
    child.once('exit', onExit)
  })

  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    onExit(listener) {
      if (child.exitCode !== null || child.signalCode !== null) listener(child.exitCode, child.signalCode)
      else child.once('exit', listener)
    },
    stop: () => stopChild(child),
  }
}

/** SIGTERM by PID, then SIGKILL if it has not gone within three seconds. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
