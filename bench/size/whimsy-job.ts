// The job of issue 12 on @whimsy/sdk: sign in (credentials come with the first call), upload a
// small file, list the folder, presign a GET, put and get one key-value item.
import { createWhimsy } from '@whimsy/sdk'

const whimsy = createWhimsy(await (await fetch('/config.json')).json())
await whimsy.auth.signIn({ username: 'daniel', password: 'correct-horse-42' })
await whimsy.fs.write('/notes/todo.txt', 'milk')
for await (const entry of whimsy.fs.list('/notes')) console.log(entry.name)
console.log(await whimsy.fs.shareUrl('/notes/todo.txt'))
await whimsy.kv.set('settings/theme', { dark: true })
console.log(await whimsy.kv.get('settings/theme'))
