// The files-only app on Amplify v6: Auth and Storage.
import './amplify-config.js'
import { fetchAuthSession, signIn } from 'aws-amplify/auth'
import { getUrl, list, uploadData } from 'aws-amplify/storage'

await signIn({ username: 'daniel', password: 'correct-horse-42' })
const { identityId } = await fetchAuthSession()
await uploadData({ path: `private/${identityId}/notes/todo.txt`, data: 'milk' }).result
console.log((await list({ path: `private/${identityId}/notes/` })).items.length)
console.log((await getUrl({ path: `private/${identityId}/notes/todo.txt` })).url)
