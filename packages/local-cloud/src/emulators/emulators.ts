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
  pid: number
  stop(): Promise<void>
}

const LAUNCHER = fileURLToPath(new URL('./emulator-process.cjs', import.meta.url))

const STARTUP_TIMEOUT_MS = 20_000

export interface StartEmulatorOptions {
  kind: EmulatorKind
  dataDir: string
  logDir: string
  onMessage?: (message: MailMessage) => void
}

export async function startEmulator({ kind, dataDir, logDir, onMessage }: StartEmulatorOptions): Promise<Emulator> {
  mkdirSync(dataDir, { recursive: true })
  mkdirSync(logDir, { recursive: true })
  const port = await freePort()
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
    pid: child.pid ?? -1,
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
