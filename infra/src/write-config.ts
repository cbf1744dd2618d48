/**
 * Writes a deployed stage's SDK configuration to a file, from the outputs `cdk deploy` saved:
 *
 *   npx cdk deploy --all -c stage=prod --outputs-file dist/outputs.json
 *   npm run config -w @whimsy/infra -- --stage prod --out ../packages/briefcase-app/config.prod.json
 *
 * The app distribution already serves the same object as `/config.json`; this file is for
 * apps and tools built elsewhere.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { checkConfig } from '../../packages/sdk/src/config-check.js'
import { CHANGE_FEED_OUTPUT, CONFIG_OUTPUT } from './config-outputs.js'
import { infraPath } from './lambda-bundle.js'
import { stagePrefix } from './stage-config.js'

/** The `WhimsyConfig` of `stage` from a `--outputs-file` document (`{ stackName: { outputKey: value } }`). */
export function configFromOutputs(outputs: unknown, stage: string) {
  const stack = `${stagePrefix({ stage })}-data`
  const value = (outputs as Record<string, Record<string, unknown> | undefined> | null)?.[stack]?.[CONFIG_OUTPUT]
  if (typeof value !== 'string') throw new Error(`No ${CONFIG_OUTPUT} output of ${stack} in the outputs file: deploy with --outputs-file first`)
  const changes = (outputs as Record<string, Record<string, unknown>>)[stack]?.[CHANGE_FEED_OUTPUT]
  const config = JSON.parse(value) as Record<string, unknown>
  if (typeof changes === 'string') config.changes = JSON.parse(changes)
  // The SDK's own check: a malformed deployment fails here, not at the first sign-in.
  return checkConfig(config)
}

function main(): void {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'dev' },
      outputs: { type: 'string', default: infraPath('dist', 'outputs.json') },
      out: { type: 'string' },
    },
  })
  const config = configFromOutputs(JSON.parse(readFileSync(values.outputs, 'utf8')), values.stage)
  const text = `${JSON.stringify(config, null, 2)}\n`
  if (values.out) writeFileSync(values.out, text)
  else process.stdout.write(text)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main()
