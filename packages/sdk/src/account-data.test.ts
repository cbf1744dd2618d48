import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { deleteAllItems } from './account-data.js'

/**
 * A DynamoDB document client that lists `count` items and then leaves every batch write
 * unprocessed, as a table throttled for good would. A stand-in for AWS, not for our code.
 */
function throttledTable(count: number): { ddb: DynamoDBDocumentClient; writes: () => number } {
  let writes = 0
  const ddb = {
    send: async (command: { constructor: { name: string }; input: { RequestItems?: Record<string, unknown[]> } }) => {
      if (command.constructor.name === 'QueryCommand') return { Items: Array.from({ length: count }, (_, i) => ({ identityId: 'id', key: `k${i}` })) }
      writes++
      return { UnprocessedItems: command.input.RequestItems }
    },
  } as unknown as DynamoDBDocumentClient
  return { ddb, writes: () => writes }
}

describe('account data', () => {
  it('Issue 12: deleteAllItems stops resending batch leftovers that never shrink (TooManyRequests), as kv-batch does', async () => {
    const { ddb, writes } = throttledTable(3)
    const delays: number[] = []
    const error = await deleteAllItems(ddb, 'table', 'id', { sleep: async (ms) => void delays.push(ms) }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'TooManyRequests' })
    // The first send and 8 resends that processed nothing, then it gives up.
    expect(writes()).toBe(9)
    expect(delays).toHaveLength(8)
  })
})
