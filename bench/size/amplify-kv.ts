// The key-value-only app on Amplify v6: Auth and the DynamoDB client.
import './amplify-config.js'
import { signIn } from 'aws-amplify/auth'
import { putAndGet } from './amplify-ddb.js'

await signIn({ username: 'daniel', password: 'correct-horse-42' })
console.log(await putAndGet('whimsy-data'))
