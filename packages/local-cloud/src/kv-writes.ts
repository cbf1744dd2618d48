/**
 * The local stand-in for the key-value table's DynamoDB Stream: the writes the gateway saw
 * DynamoDB accept, reduced to one `KvWrite` per item (what a stream record would say). The
 * version is read from the request or the answer (the SDK asks for the new or old item back);
 * a delete that the answer shows removed nothing is no change, as it is no stream record.
 */
import { randomUUID } from 'node:crypto'
import type { KvWrite } from '@whimsy/change-feed'

type Item = Record<string, { S?: string; N?: string } | undefined>

export function createKvWriteSource(table: string, now: () => Date) {
  let sequence = 0
  return (operation: string, request: Record<string, unknown>, answer: Record<string, unknown>): KvWrite[] => {
    const time = now().getTime()
    const write = (item: Item | undefined, op: KvWrite['op'], version?: Item): KvWrite[] => {
      const identityId = item?.identityId?.S
      const key = item?.key?.S
      if (!identityId || key === undefined) return []
      sequence += 1
      const w: KvWrite = { identityId, key, op, eventId: `kv:${randomUUID()}`, sequencer: String(sequence), time }
      const v = version?.version?.N
      if (v !== undefined) w.version = Number(v)
      return [w]
    }
    if (operation !== 'BatchWriteItem' && request.TableName !== table) return []
    const attributes = answer.Attributes as Item | undefined
    switch (operation) {
      case 'PutItem':
        return write(request.Item as Item, 'put', request.Item as Item)
      case 'UpdateItem':
        return write(request.Key as Item, 'put', attributes)
      case 'DeleteItem':
        if (request.ReturnValues === 'ALL_OLD' && !attributes) return []
        return write(request.Key as Item, 'delete', attributes)
      case 'BatchWriteItem': {
        const requests = ((request.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }[]>)[table] ?? []
        const left = ((answer.UnprocessedItems ?? {}) as Record<string, { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }[]>)[table] ?? []
        const unprocessed = new Set(left.map((r) => itemId(r.PutRequest?.Item ?? r.DeleteRequest?.Key)))
        return requests
          .filter((r) => !unprocessed.has(itemId(r.PutRequest?.Item ?? r.DeleteRequest?.Key)))
          .flatMap((r) => (r.PutRequest ? write(r.PutRequest.Item, 'put', r.PutRequest.Item) : write(r.DeleteRequest?.Key, 'delete')))
      }
      default:
        return []
    }
  }
}

function itemId(item: Item | undefined): string {
  return `${item?.identityId?.S ?? ''}\u0000${item?.key?.S ?? ''}`
}
