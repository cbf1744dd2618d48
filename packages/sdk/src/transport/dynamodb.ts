/**
 * A small DynamoDB client (issue 12): the operations `kv` sends, as JSON over fetch with SigV4
 * (json-protocol.ts), in place of the AWS SDK's generated client. Items stay in DynamoDB's own
 * JSON (`{ S: 'x' }`), which is what `kv` builds already, so no marshalling is needed. The
 * command classes keep the AWS SDK's names and inputs, so a call site reads as before:
 * `ddb.send(new GetItemCommand({ TableName, Key }))`.
 */
import type {
  AttributeValue,
  BatchGetItemCommandInput,
  BatchWriteItemCommandInput,
  DeleteItemCommandInput,
  GetItemCommandInput,
  GetItemCommandOutput,
  QueryCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb'
import { type AwsCredentials, type AwsServiceError, callJson, type JsonService } from './json-protocol.js'
import type { RequestPolicy } from './retry.js'

export interface DynamoDbCommand<I = unknown> {
  readonly operation: string
  readonly input: I
}

export class GetItemCommand implements DynamoDbCommand<GetItemCommandInput> {
  readonly operation = 'GetItem'
  constructor(readonly input: GetItemCommandInput) {}
}
export class UpdateItemCommand implements DynamoDbCommand<UpdateItemCommandInput> {
  readonly operation = 'UpdateItem'
  constructor(readonly input: UpdateItemCommandInput) {}
}
export class DeleteItemCommand implements DynamoDbCommand<DeleteItemCommandInput> {
  readonly operation = 'DeleteItem'
  constructor(readonly input: DeleteItemCommandInput) {}
}
export class QueryCommand implements DynamoDbCommand<QueryCommandInput> {
  readonly operation = 'Query'
  constructor(readonly input: QueryCommandInput) {}
}
export class BatchGetItemCommand implements DynamoDbCommand<BatchGetItemCommandInput> {
  readonly operation = 'BatchGetItem'
  constructor(readonly input: BatchGetItemCommandInput) {}
}
export class BatchWriteItemCommand implements DynamoDbCommand<BatchWriteItemCommandInput> {
  readonly operation = 'BatchWriteItem'
  constructor(readonly input: BatchWriteItemCommandInput) {}
}

export interface DynamoDbOptions {
  region: string
  endpoint?: string
  credentials: () => Promise<AwsCredentials>
  policy?: RequestPolicy
  /** Hears every successful answer (the change feed marks this device's own writes with it). */
  onAnswer?: (operation: string, input: unknown, output: unknown) => void
}

export class DynamoDb {
  private readonly service: JsonService
  private readonly onAnswer: DynamoDbOptions['onAnswer']

  constructor(options: DynamoDbOptions) {
    this.onAnswer = options.onAnswer
    this.service = {
      endpoint: options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`,
      region: options.region,
      signingName: 'dynamodb',
      targetPrefix: 'DynamoDB_20120810',
      contentType: 'application/x-amz-json-1.0',
      credentials: options.credentials,
      policy: options.policy,
    }
  }

  send<O>(command: DynamoDbCommand, options: { signal?: AbortSignal } = {}): Promise<O> {
    const onConflictAfterLostAnswer =
      command instanceof UpdateItemCommand && command.input.ConditionExpression ? () => this.committedUpdate<O>(command.input, options.signal) : undefined
    const answer = callJson<O>(this.service, command.operation, command.input, { signal: options.signal, onConflictAfterLostAnswer })
    const onAnswer = this.onAnswer
    if (!onAnswer) return answer
    return answer.then((output) => {
      try {
        onAnswer(command.operation, command.input, output)
      } catch {
        // A listener's hint, never a reason to fail the call.
      }
      return output
    })
  }

  /**
   * A conditional update was sent, its answer lost, and the retry failed its condition: did
   * the first attempt commit? It did if the item now holds every value the update assigns
   * (`SET #a = :v`) — kv's updates assign the request's own timestamp, so another writer's
   * item does not match. Then its result is the item, which carries what any ReturnValues
   * asked for; else the Conflict stands.
   */
  private async committedUpdate<O>(input: UpdateItemCommandInput, signal?: AbortSignal): Promise<O | undefined> {
    const assigned = assignments(input)
    if (assigned.length === 0) return undefined
    const current = await callJson<GetItemCommandOutput>(
      this.service,
      'GetItem',
      { TableName: input.TableName, Key: input.Key, ConsistentRead: true },
      { signal },
    ).catch(() => undefined)
    const item = current?.Item
    if (!item) return undefined
    return assigned.every(([name, value]) => canonical(item[name]) === canonical(value)) ? ({ Attributes: item } as O) : undefined
  }
}

/** The `SET #name = :value` assignments of an update, resolved to attribute names and values. */
function assignments(input: UpdateItemCommandInput): [string, AttributeValue][] {
  const set = /\bSET\b(.*?)(?=\b(?:REMOVE|ADD|DELETE)\b|$)/is.exec(input.UpdateExpression ?? '')?.[1] ?? ''
  const out: [string, AttributeValue][] = []
  for (const clause of set.split(',')) {
    const m = /^\s*(#\w+)\s*=\s*(:\w+)\s*$/.exec(clause)
    const name = m && input.ExpressionAttributeNames?.[m[1] as string]
    const value = m && input.ExpressionAttributeValues?.[m[2] as string]
    if (name && value) out.push([name, value])
  }
  return out
}

/** JSON with sorted keys: DynamoDB returns a map's fields in an order of its own. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  )
}

export type { AwsServiceError }
