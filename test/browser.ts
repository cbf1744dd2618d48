/**
 * Real Chromium for browser tests: Debian's `/usr/bin/chromium` driven by playwright-core
 * (never a downloaded browser). `.ci/run` installs the package when a machine lacks it.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`sudo apt-get install -y chromium\` (bash .ci/run does).`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}
