/** The one table: the same rows as Markdown for stdout, `latest.md` and the README. */
import type { BenchRow } from './rows.js'

/** Three significant digits, thousands separated: enough for figures that vary by percents run to run. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—'
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : Math.abs(n) >= 1 ? 2 : 3
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** Rates are better higher; times, sizes and memory lower. */
const HIGHER_IS_BETTER = new Set(['MB/s', 'req/s', 'ops/s'])

function ratioCell(r: BenchRow): string {
  if (r.ratio === null) return '—'
  return `${r.ratio.toFixed(2)}× (${HIGHER_IS_BETTER.has(r.unit) ? 'higher' : 'lower'} is better)`
}

const HEADER = ['| what | ours | baseline | ratio ours / baseline | unit | rounds | note |', '|---|---:|---:|---:|---|---:|---|']

function rowLine(r: BenchRow): string {
  return `| ${cell(r.name)} | ${formatNumber(r.ours)} | ${formatNumber(r.baseline)} | ${ratioCell(r)} | ${cell(r.unit)} | ${r.rounds} | ${cell(r.note ?? '')} |`
}

/** One table, a bold line per group: what stdout shows. */
export function markdownTable(rows: BenchRow[]): string {
  const lines = [...HEADER]
  let group: string | undefined
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group
      lines.push(`| **${cell(group ?? '')}** | | | | | | |`)
    }
    lines.push(rowLine(r))
  }
  return lines.join('\n')
}

/** How one provider's part of the run went: the heading of its table. */
export interface GroupInfo {
  title: string
  issues?: number[]
  seconds: number
  /** The 1-minute load average when it started and when it ended. */
  load: [number, number]
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
  groups?: GroupInfo[]
}

function runLine(run: RunInfo): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ')
  return (
    `\`npm run bench${run.quick ? ' -- --quick' : ''}\` on ${run.started.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${run.cpus} CPUs, Node ${run.node}, ` +
    `load average (1, 5, 15 min) ${load(run.loadAtStart)} at the start and ${load(run.load)} at the end, ${run.seconds.toFixed(0)} s in all. ` +
    'The machine is shared: compare ratios, not absolute figures.'
  )
}

const HOW_TO_READ =
  'Each figure is beside its baseline, measured in the same run on the same machine: the ratio is ours / baseline, and says which way is better. ' +
  'Timed calls alternate between ours and the baseline, and figures are medians of the rounds given (p50 / p99 rows: percentiles of the rounds). ' +
  'Each heading names the issues whose claims its rows check, the seconds that part took and the load average (1 min) as it started and ended. ' +
  'A row that could not run says why in its note.'

function groupHeading(g: GroupInfo | undefined, title: string, level: string): string {
  const issues = g?.issues?.length ? ` — issue${g.issues.length > 1 ? 's' : ''} ${g.issues.join(', ')}` : ''
  const how = g ? ` _(${g.seconds.toFixed(0)} s, load ${g.load[0].toFixed(1)} → ${g.load[1].toFixed(1)})_` : ''
  return `${level} ${title}${issues}${how}`
}

/** A table per group, each under a heading with its issues, its time and the load while it ran. */
export function groupedTables(rows: BenchRow[], run: RunInfo, level = '###'): string {
  const titles = [...new Set(rows.map((r) => r.group ?? ''))]
  return titles
    .map((title) => {
      const g = run.groups?.find((x) => x.title === title)
      return [groupHeading(g, title, level), '', ...HEADER, ...rows.filter((r) => (r.group ?? '') === title).map(rowLine)].join('\n')
    })
    .join('\n\n')
}

export function markdownReport(rows: BenchRow[], run: RunInfo): string {
  return [`# Benchmarks: latest run${run.quick ? ' (--quick)' : ''}`, '', runLine(run), '', HOW_TO_READ, '', groupedTables(rows, run, '##'), ''].join('\n')
}

/** The README's copy: the same tables under the line saying when and where they were measured. */
export function readmeBlock(rows: BenchRow[], run: RunInfo): string {
  return `${runLine(run)}\n\n${HOW_TO_READ}\n\n${groupedTables(rows, run, '####')}\n`
}
