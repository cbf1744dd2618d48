// The job on the raw AWS SDK v3 clients + amazon-cognito-identity-js, as the SDK's own design card lists them.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity'
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { session } from './raw-signin.js'

const region = 'us-east-1'
const credentials = fromCognitoIdentityPool({
  identityPoolId: 'us-east-1:pool',
  logins: { 'cognito-idp.us-east-1.amazonaws.com/pool': session.getIdToken().getJwtToken() },
  clientConfig: { region },
})
const s3 = new S3Client({ region, credentials })
const Bucket = 'whimsy-files'
await s3.send(new PutObjectCommand({ Bucket, Key: 'id/notes/todo.txt', Body: 'milk' }))
console.log((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'id/notes/', Delimiter: '/' }))).KeyCount)
console.log(await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'id/notes/todo.txt' })))
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region, credentials }))
await ddb.send(new PutCommand({ TableName: 'whimsy-data', Item: { identityId: 'id', key: 'settings/theme', value: { dark: true } } }))
console.log((await ddb.send(new GetCommand({ TableName: 'whimsy-data', Key: { identityId: 'id', key: 'settings/theme' } }))).Item)
