// Amplify has no key-value API: apps pair its session's credentials with the DynamoDB client.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { fetchAuthSession } from 'aws-amplify/auth'

export async function putAndGet(table: string): Promise<unknown> {
  const session = await fetchAuthSession()
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: session.credentials }))
  const Key = { identityId: session.identityId, key: 'settings/theme' }
  await ddb.send(new PutCommand({ TableName: table, Item: { ...Key, value: { dark: true } } }))
  return (await ddb.send(new GetCommand({ TableName: table, Key }))).Item
}
