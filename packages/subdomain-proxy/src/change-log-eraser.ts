/**
 * The erase function's step for the change log (issue 15): the feed writer's own erase, which
 * knows the log's layout. In a module of its own so the claim function's callers that never
 * erase do not reach into the feed package.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { eraseChangeLog } from '@whimsy/change-feed'

export function eraserOfChangeLog(dynamodb: DynamoDBClient, table: string): (identityId: string) => Promise<void> {
  return async (identityId) => {
    await eraseChangeLog(dynamodb, table, identityId)
  }
}
