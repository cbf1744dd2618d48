/**
 * Maps a DynamoDB JSON request to the IAM authorizations AWS would check, with the
 * `dynamodb:LeadingKeys` context key (the partition-key values the request touches).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
import type { AuthorizationRequest } from './iam/evaluate.js'

type AttributeValue = Record<string, unknown>
type Item = Record<string, AttributeValue>

export interface TableInfo {
  arn: string
  partitionKey: string
}

/** Looks up a table's ARN and partition key; undefined when no such table exists. */
export type TableLookup = (tableName: string) => TableInfo | undefined

/** A value that no policy names: requests whose leading key cannot be read are denied. */
const UNREADABLE = '\u0000unreadable-leading-key'

export function dynamoDbAuthorizations(
  operation: string,
  body: Record<string, unknown>,
  tables: TableLookup,
  tableArnFor: (name: string) => string,
): AuthorizationRequest[] {
  const one = (action: string, tableName: unknown, leadingKeys?: string[]): AuthorizationRequest => {
    const name = String(tableName ?? '')
    const info = tables(name)
    return {
      action: `dynamodb:${action}`,
      resource: info?.arn ?? tableArnFor(name),
      context: leadingKeys === undefined ? {} : { 'dynamodb:LeadingKeys': leadingKeys },
    }
  }
  const keyOf = (tableName: unknown, item: unknown) => leadingKey(tables(String(tableName ?? '')), item as Item | undefined)

  switch (operation) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [one(operation, body.TableName, [keyOf(body.TableName, body.Key)])]
    case 'PutItem':
      return [one(operation, body.TableName, [keyOf(body.TableName, body.Item)])]
    case 'Query': {
      const request = one('Query', body.TableName, [queryLeadingKey(tables(String(body.TableName ?? '')), body)])
      // A query on an index is authorized against the index's ARN.
      return [body.IndexName ? { ...request, resource: `${request.resource}/index/${String(body.IndexName)}` } : request]
    }
    case 'BatchGetItem':
      return Object.entries((body.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).map(([table, req]) =>
        one(
          'BatchGetItem',
          table,
          (req.Keys ?? []).map((k) => keyOf(table, k)),
        ),
      )
    case 'BatchWriteItem':
      return Object.entries((body.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[]>).map(
        ([table, requests]) =>
          one(
            'BatchWriteItem',
            table,
            requests.map((r) => keyOf(table, r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
          ),
      )
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const kinds: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' }
      return ((body.TransactItems ?? []) as Record<string, { TableName?: string; Key?: unknown; Item?: unknown }>[]).flatMap((entry) =>
        Object.entries(entry).map(([kind, req]) => one(kinds[kind] ?? kind, req.TableName, [keyOf(req.TableName, req.Key ?? req.Item)])),
      )
    }
    case 'Scan':
      // No leading key at all: the context key is absent.
      return [one('Scan', body.TableName)]
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables', resource: '*' }]
    case 'ExecuteStatement':
    case 'BatchExecuteStatement':
    case 'ExecuteTransaction':
      return [{ action: 'dynamodb:PartiQLSelect', resource: '*' }]
    default:
      return [one(operation, body.TableName)]
  }
}

function leadingKey(info: TableInfo | undefined, item: Item | undefined): string {
  if (!info || !item) return UNREADABLE
  return scalar(item[info.partitionKey]) ?? UNREADABLE
}

function scalar(v: AttributeValue | undefined): string | undefined {
  if (!v) return undefined
  const s = v.S ?? v.N ?? v.B
  return typeof s === 'string' ? s : undefined
}

/**
 * The partition-key value of a Query: the `<pk> = :value` clause of its KeyConditionExpression
 * (or the legacy KeyConditions). Anything it cannot read yields a value no policy allows.
 */
export function queryLeadingKey(info: TableInfo | undefined, body: Record<string, unknown>): string {
  if (!info) return UNREADABLE
  const legacy = body.KeyConditions as Record<string, { AttributeValueList?: AttributeValue[]; ComparisonOperator?: string }> | undefined
  if (legacy) {
    const c = legacy[info.partitionKey]
    return c?.ComparisonOperator === 'EQ' ? (scalar(c.AttributeValueList?.[0]) ?? UNREADABLE) : UNREADABLE
  }
  const expression = body.KeyConditionExpression
  if (typeof expression !== 'string') return UNREADABLE
  const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>
  const values = (body.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>
  const resolve = (token: string) => (token.startsWith('#') ? names[token] : token)
  for (const clause of expression.split(/\band\b/i)) {
    const m = /^\s*\(?\s*([#\w.:-]+)\s*=\s*([#\w.:-]+)\s*\)?\s*$/.exec(clause)
    if (!m) continue
    const [left, right] = [m[1] as string, m[2] as string]
    if (resolve(left) === info.partitionKey && right.startsWith(':')) return scalar(values[right]) ?? UNREADABLE
    if (resolve(right) === info.partitionKey && left.startsWith(':')) return scalar(values[left]) ?? UNREADABLE
  }
  return UNREADABLE
}
