// An app on @whimsy/sdk that only signs in.
import { createWhimsy } from '@whimsy/sdk'

const whimsy = createWhimsy(await (await fetch('/config.json')).json())
await whimsy.auth.signIn({ username: 'daniel', password: 'correct-horse-42' })
console.log(whimsy.auth.user?.identityId)
