// An Amplify v6 app that only signs in.
import './amplify-config.js'
import { fetchAuthSession, signIn } from 'aws-amplify/auth'

await signIn({ username: 'daniel', password: 'correct-horse-42' })
console.log((await fetchAuthSession()).identityId)
