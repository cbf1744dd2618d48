/**
 * The shape every benchmark reports in, and the measuring rules they share. A provider is an
 * async function `(options) => BenchRow[]`; `bench/run.ts` calls each, prints one table and
 * writes `bench/results/latest.{json,md}`.
 */
import { performance } from 'node:perf_hooks'

export interface BenchRow {
  /** What was measured, and against what (e.g. "write 1 KiB: whimsy.fs vs raw S3 client"). */
  name: string
  /** Our figure, in `unit`; null when the row could not run (then `note` says why). */
  ours: number | null
  /** The baseline's figure, measured in the same run. */
  baseline: number | null
  /** ours / baseline. */
  ratio: number | null
  unit: string
  /** How many measured rounds the medians are of. */
  rounds: number
  note?: string
  /** The provider's title; the runner fills it in. */
  group?: string
}

export interface BenchOptions {
  /** The smaller version: the whole run in under two minutes. */
  quick: boolean
  /** Progress lines (stderr); results go in rows only. */
  log: (line: string) => void
  /**
   * Called with each row as soon as it is measured (`rowList` does it), so a provider stopped for
   * overrunning its time still reports the rows it had.
   */
  measured?: (row: BenchRow) => void
}

export type RowProvider = (options: BenchOptions) => Promise<BenchRow[]>

/** An array of rows whose `push` also hands each row to `options.measured` right away. */
export function rowList(options: BenchOptions): BenchRow[] {
  const rows: BenchRow[] = []
  rows.push = (...added: BenchRow[]) => {
    for (const r of added) options.measured?.(r)
    return Array.prototype.push.apply(rows, added)
  }
  return rows
}

export function row(name: string, ours: number, baseline: number, unit: string, rounds: number, note?: string): BenchRow {
  return { name, ours, baseline, ratio: baseline ? ours / baseline : null, unit, rounds, ...(note ? { note } : {}) }
}

/** A row that could not run: it stays in the table and says why rather than disappearing. */
export function unavailable(name: string, unit: string, why: string): BenchRow {
  return { name, ours: null, baseline: null, ratio: null, unit, rounds: 0, note: why }
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length % 2) return sorted[mid] as number
  return sorted.length ? ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2 : Number.NaN
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}

/**
 * Times two calls in alternation (a, b, a, b…, which side goes first flipping each round), so
 * drift on a busy machine (other processes, GC, caches) falls on both sides alike. Returns
 * each side's times in ms; `warmup` unmeasured rounds first (connections, JIT).
 */
export async function interleaved(
  rounds: number,
  ours: (i: number) => Promise<unknown>,
  baseline: (i: number) => Promise<unknown>,
  warmup = Math.min(20, rounds),
): Promise<{ ours: number[]; baseline: number[] }> {
  for (let i = 0; i < warmup; i++) {
    await ours(i)
    await baseline(i)
  }
  const times = { ours: [] as number[], baseline: [] as number[] }
  const timed = async (side: 'ours' | 'baseline', i: number) => {
    const t = performance.now()
    await (side === 'ours' ? ours : baseline)(i)
    times[side].push(performance.now() - t)
  }
  for (let i = 0; i < rounds; i++) {
    const order: ('ours' | 'baseline')[] = i % 2 ? ['baseline', 'ours'] : ['ours', 'baseline']
    for (const side of order) await timed(side, warmup + i)
  }
  return times
}

/** `interleaved`, reduced to one row of medians. */
export async function interleavedRow(
  name: string,
  rounds: number,
  ours: (i: number) => Promise<unknown>,
  baseline: (i: number) => Promise<unknown>,
  warmup?: number,
): Promise<BenchRow> {
  const t = await interleaved(rounds, ours, baseline, warmup)
  return row(name, median(t.ours), median(t.baseline), 'ms', rounds)
}
