// An app on @whimsy/sdk that uses key-value data only: it should ship no S3 code.
import { createWhimsy } from '@whimsy/sdk'

const whimsy = createWhimsy(await (await fetch('/config.json')).json())
await whimsy.auth.signIn({ username: 'daniel', password: 'correct-horse-42' })
await whimsy.kv.set('settings/theme', { dark: true })
console.log(await whimsy.kv.get('settings/theme'))
