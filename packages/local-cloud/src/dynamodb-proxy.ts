/** The DynamoDB half of the gateway: policy check on the leading keys, then dynalite. */
import type { ServerResponse } from 'node:http'
import type { Principal } from './authenticate.js'
import { sendJsonError } from './aws-errors.js'
import { dynamoDbAuthorizations, type TableLookup } from './dynamodb-actions.js'
import type { AuthorizationRequest } from './iam/evaluate.js'
import type { IncomingRequest } from './sigv4.js'
import { responseHeaders, sendUpstream } from './upstream.js'

export interface DynamoDbProxyContext {
  upstream: string
  /** Sent to the emulator on every call: its proof that the call comes from the gateway. */
  upstreamHeaders?: Record<string, string>
  tables: TableLookup
  tableArnFor: (name: string) => string
  authorize: (principal: Principal, requests: AuthorizationRequest[]) => boolean
  /**
   * Told of every write DynamoDB accepted, with the request and its answer: the local
   * stand-in for the table's DynamoDB Stream (the change feed reads it).
   */
  onWritten?: (operation: string, request: Record<string, unknown>, answer: Record<string, unknown>) => void
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])

const DDB = 'com.amazonaws.dynamodb.v20120810#'

export async function handleDynamoDb(ctx: DynamoDbProxyContext, req: IncomingRequest, res: ServerResponse, principal: Principal) {
  if (principal.kind === 'anonymous') return sendJsonError(res, `${DDB}MissingAuthenticationTokenException`, 'Request is missing Authentication Token')
  const operation = (req.headers['x-amz-target'] ?? '').split('.')[1] ?? ''
  let body: Record<string, unknown>
  try {
    body = JSON.parse(Buffer.from(req.body).toString('utf8') || '{}') as Record<string, unknown>
  } catch {
    return sendJsonError(res, `${DDB}SerializationException`, 'The request body is not valid JSON')
  }
  const requests = dynamoDbAuthorizations(operation, body, ctx.tables, ctx.tableArnFor)
  if (!ctx.authorize(principal, requests)) {
    const denied = requests[0]
    return sendJsonError(
      res,
      `${DDB}AccessDeniedException`,
      `User is not authorized to perform: ${denied?.action ?? operation} on resource: ${denied?.resource ?? ''} because no identity-based policy allows the action`,
    )
  }
  // dynalite only checks that an Authorization header is present, so the client's own
  // (already verified) headers go along as they are.
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'host' && k !== 'content-length') headers[k] = v
  Object.assign(headers, ctx.upstreamHeaders)
  const upstream = await sendUpstream(ctx.upstream, { method: 'POST', path: '/', headers, body: req.body }).catch(() => undefined)
  // The emulator is restarting (see emulators/supervisor.ts): a 503, which SDK clients retry.
  if (!upstream) return sendJsonError(res, `${DDB}ServiceUnavailableException`, 'The local DynamoDB is restarting; try again.', 503)
  res.writeHead(upstream.statusCode ?? 502, responseHeaders(upstream.headers))
  const onWritten = ctx.onWritten
  if (onWritten && upstream.statusCode === 200 && WRITES.has(operation)) {
    const chunks: Buffer[] = []
    upstream.on('data', (chunk: Buffer) => chunks.push(chunk))
    upstream.on('end', () => {
      let answer: Record<string, unknown> = {}
      try {
        answer = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
      } catch {
        // dynalite answered 200 with no JSON: nothing to read but the request itself.
      }
      onWritten(operation, body, answer)
    })
  }
  upstream.pipe(res)
}
