/** The one table: the same rows as Markdown for stdout, `latest.md` and the README. */
import type { BenchRow } from './rows.js'

/** Three significant digits, thousands separated: enough for figures that vary by percents run to run. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—'
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : Math.abs(n) >= 1 ? 2 : 3
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ')

export function markdownTable(rows: BenchRow[]): string {
  const lines = ['| what | ours | baseline | ratio | unit | rounds | note |', '|---|---:|---:|---:|---|---:|---|']
  let group: string | undefined
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group
      lines.push(`| **${cell(group ?? '')}** | | | | | | |`)
    }
    const ratio = r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`
    lines.push(`| ${cell(r.name)} | ${formatNumber(r.ours)} | ${formatNumber(r.baseline)} | ${ratio} | ${cell(r.unit)} | ${r.rounds} | ${cell(r.note ?? '')} |`)
  }
  return lines.join('\n')
}

export interface RunInfo {
  started: Date
  seconds: number
  quick: boolean
  /** Load averages (1, 5, 15 min) when the run started and when it ended. */
  loadAtStart: number[]
  load: number[]
  cpus: number
  node: string
}

function runLine(run: RunInfo): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ')
  return (
    `\`npm run bench${run.quick ? ' -- --quick' : ''}\` on ${run.started.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${run.cpus} CPUs, Node ${run.node}, ` +
    `load average ${load(run.loadAtStart)} at the start and ${load(run.load)} at the end (the machine is shared: compare ratios, not absolute figures), ${run.seconds.toFixed(0)} s in all.`
  )
}

export function markdownReport(rows: BenchRow[], run: RunInfo): string {
  return [
    `# Benchmarks: latest run${run.quick ? ' (--quick)' : ''}`,
    '',
    runLine(run),
    'Ratio = ours / baseline: below 1 is smaller or faster for ms and bytes, above 1 is better for MB/s and req/s. Every baseline is measured in the same run; ' +
      'timed calls alternate between ours and the baseline, and figures are medians of the rounds given.',
    '',
    markdownTable(rows),
    '',
  ].join('\n')
}

/** The README's copy: the same table under one line saying when and where it was measured. */
export function readmeBlock(rows: BenchRow[], run: RunInfo): string {
  return `${runLine(run)}\n\n${markdownTable(rows)}\n`
}
