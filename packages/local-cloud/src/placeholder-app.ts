/**
 * What the app URL shows until the Briefcase lands: what is running and where.
 */
import type { RequestListener } from 'node:http'
import type { WhimsyConfig } from '@whimsy/sdk/config'
import { escapeXml as escapeHtml } from './aws-errors.js'

export function createPlaceholderApp({ config, apiUrl }: { config: WhimsyConfig; apiUrl: string }): RequestListener {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Whimsy Space — local cloud</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}code,pre{background:#f4f1ea;padding:.1rem .3rem;border-radius:4px}pre{padding:1rem;overflow:auto}</style>
</head><body>
<h1>Whimsy Space is running locally</h1>
<p>The local cloud is up: user accounts (Cognito user pool), the identity pool, files (S3) and
key-value data (DynamoDB), all behind one gateway that enforces the production access policies.
The Briefcase file manager will live at this address.</p>
<ul>
<li>AWS-compatible API: <code>${escapeHtml(apiUrl)}</code></li>
<li>Configuration for the SDK: <a href="${escapeHtml(apiUrl)}/_whimsy/config.json"><code>${escapeHtml(apiUrl)}/_whimsy/config.json</code></a></li>
<li>Mailbox (confirmation codes): <a href="${escapeHtml(apiUrl)}/_whimsy/mailbox"><code>${escapeHtml(apiUrl)}/_whimsy/mailbox</code></a></li>
</ul>
<h2>Configuration</h2>
<pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
</body></html>
`
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' })
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : page)
  }
}
