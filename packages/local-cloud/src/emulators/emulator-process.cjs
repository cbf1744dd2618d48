// Runs one emulator in its own process, forked by emulators.ts with an IPC channel.
// Usage: node emulator-process.cjs <dynamodb|cognito> <port> <dataDir>
// It reports {type:'ready'} once listening and exits when the parent goes away, so an
// emulator is never left behind by a local cloud that crashed.
'use strict'
const path = require('node:path')

const [kind, portArg, dataDir] = process.argv.slice(2)
const port = Number(portArg)
const HOST = '127.0.0.1'

process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))

async function startDynamoDb() {
  const dynalite = require('dynalite')
  // Tables are created once, on first start; no need to make callers wait in CREATING.
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, HOST, resolve)
  })
}

async function startCognito() {
  // cognito-local reads its config from ./.cognito of its working directory and derives the
  // token issuer from HOST and PORT, so both are set before its modules load.
  process.chdir(dataDir)
  // Its default pool makes the e-mail the username; Whimsy Space has usernames and e-mails.
  const fs = require('node:fs')
  fs.mkdirSync('.cognito', { recursive: true })
  fs.writeFileSync('.cognito/config.json', JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }))
  process.env.HOST = HOST
  process.env.PORT = String(port)
  const root = path.dirname(require.resolve('cognito-local/package.json'))
  // Gap: cognito-local only prints confirmation codes in a box on its console. We forward each
  // delivery to the parent's mailbox instead, keeping cognito-local's own delivery logic.
  const { ConsoleMessageSender } = require(path.join(root, 'lib/services/messageDelivery/consoleMessageSender.js'))
  ConsoleMessageSender.prototype.sendToConsole = function (_ctx, user, destination, message) {
    process.send?.({
      type: 'message',
      message: {
        username: user.Username,
        destination,
        code: message.__code,
        subject: message.emailSubject,
        body: message.emailMessage ?? message.smsMessage,
      },
    })
    return Promise.resolve()
  }
  const pino = require(require.resolve('pino', { paths: [root] }))
  const { createDefaultServer } = require(path.join(root, 'lib/server/defaults.js'))
  const server = await createDefaultServer(pino({ level: process.env.WHIMSY_DEBUG ? 'debug' : 'warn' }))
  await server.start()
}

const starters = { dynamodb: startDynamoDb, cognito: startCognito }
const start = starters[kind]
if (!start) {
  console.error(`unknown emulator ${kind}`)
  process.exit(2)
}
start().then(
  () => process.send?.({ type: 'ready' }),
  (err) => {
    console.error(err && err.stack ? err.stack : String(err))
    process.exit(1)
  },
)
