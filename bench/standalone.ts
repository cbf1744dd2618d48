/** Keeps a provider module runnable on its own (`tsx <file> [--quick]`): it prints its rows as the table. */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { markdownTable } from './report.js'
import type { RowProvider } from './rows.js'

export async function runIfMain(moduleUrl: string, title: string, provider: RowProvider): Promise<void> {
  const main = process.argv[1]
  if (!main || realpathSync(main) !== realpathSync(fileURLToPath(moduleUrl))) return
  const rows = await provider({ quick: process.argv.includes('--quick'), log: (line) => process.stderr.write(`${line}\n`) })
  console.log(`\n${markdownTable(rows.map((r) => ({ ...r, group: title })))}`)
}
