// An app on @whimsy/sdk that uses files only: it should ship no DynamoDB code.
import { createWhimsy } from '@whimsy/sdk'

const whimsy = createWhimsy(await (await fetch('/config.json')).json())
await whimsy.auth.signIn({ username: 'daniel', password: 'correct-horse-42' })
await whimsy.fs.write('/notes/todo.txt', 'milk')
for await (const entry of whimsy.fs.list('/notes')) console.log(entry.name)
console.log(await whimsy.fs.shareUrl('/notes/todo.txt'))
