/**
 * One row provider in a process of its own, forked by `run.ts`: `provider-process.ts <module> [--quick]`.
 * Sends its rows (or its error) to the parent over IPC and exits. Its own process group lets the
 * runner stop it, with every local cloud and emulator it started, by one PID when it overruns.
 */
import { loadProvider, PROVIDERS } from './providers.js'
import type { BenchRow } from './rows.js'

export type ProviderMessage = { rows: BenchRow[] } | { measured: BenchRow } | { unavailable: string } | { error: string }

const [module] = process.argv.slice(2)
const entry = PROVIDERS.find((p) => p.module === module)
const send = (message: ProviderMessage) => new Promise<void>((resolve) => process.send?.(message, () => resolve()))
try {
  if (!entry) throw new Error(`no provider ${module}`)
  const provider = await loadProvider(entry)
  if (typeof provider === 'string') await send({ unavailable: provider })
  else
    await send({
      rows: await provider({
        quick: process.argv.includes('--quick'),
        // Seconds since the provider started on each progress line: where a slow run spent its time.
        log: (line) => process.stderr.write(`${line} (${(performance.now() / 1000).toFixed(0)} s)\n`),
        measured: (row) => void send({ measured: row }),
      }),
    })
} catch (e) {
  await send({ error: (e as Error).message.split('\n')[0] ?? String(e) })
}
process.exit(0)
