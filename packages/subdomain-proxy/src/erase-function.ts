/**
 * The erase function in production: the claim function's code with the account eraser switched
 * on, a Lambda of its own behind the handles HTTP API's `DELETE /account`, so only it holds the
 * permissions to delete object versions and key-value items (the claim function holds none).
 * Environment: the claim function's, plus WHIMSY_FILES_BUCKET and WHIMSY_KV_TABLE, and
 * WHIMSY_CHANGES_TABLE when the deployment has a change log (issue 15) to erase as well.
 */
import { claimFunctionConfigFromEnv, createClaimFunction, type FunctionUrlEvent, type FunctionUrlResult } from './claim-function.js'

export function eraseFunctionConfigFromEnv(env: Record<string, string | undefined> = process.env) {
  const bucket = env.WHIMSY_FILES_BUCKET ?? ''
  const kvTable = env.WHIMSY_KV_TABLE ?? ''
  if (!bucket || !kvTable) throw new Error('Erase function configuration: WHIMSY_FILES_BUCKET and WHIMSY_KV_TABLE are required')
  const changesTable = env.WHIMSY_CHANGES_TABLE || undefined
  return { ...claimFunctionConfigFromEnv(env), erase: { bucket, kvTable, ...(changesTable ? { changesTable } : {}) } }
}

let lambda: ReturnType<typeof createClaimFunction> | undefined

/** The Lambda entry point (`erase-function.handler`). */
export const handler = (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
  lambda ??= createClaimFunction(eraseFunctionConfigFromEnv())
  return lambda(event)
}
