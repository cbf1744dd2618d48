// Runs one emulator in its own process, forked by emulators.ts with an IPC channel.
// Usage: node emulator-process.cjs <dynamodb|cognito> <port> <dataDir>
// It waits for {type:'init'} on the channel (secrets travel there, never in argv or the
// environment, which other local users can read in /proc), reports {type:'ready'} once
// listening and exits when the parent goes away, so an emulator is never left behind by a
// local cloud that crashed.
'use strict'
const path = require('node:path')
const http = require('node:http')
const { timingSafeEqual } = require('node:crypto')

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

// Issue 11, finding 10: dynalite and cognito-local answer anyone who finds their port. Every
// server the emulator creates refuses a request that lacks the gateway's per-start secret.
const UPSTREAM_HEADER = 'x-whimsy-upstream'
function requireUpstreamSecret(secret) {
  const expected = Buffer.from(secret)
  const fromGateway = (req) => {
    const given = Buffer.from(String(req.headers[UPSTREAM_HEADER] ?? ''))
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
  const createServer = http.createServer
  http.createServer = function (...args) {
    const server = createServer.apply(this, args)
    const emit = server.emit
    server.emit = function (event, req, res, ...rest) {
      if (event !== 'request' && event !== 'checkContinue') return emit.call(this, event, req, res, ...rest)
      if (!fromGateway(req)) {
        req.resume()
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
        res.end('Forbidden: this emulator answers only the local cloud gateway.\n')
        return true
      }
      delete req.headers[UPSTREAM_HEADER]
      return emit.call(this, event, req, res, ...rest)
    }
    return server
  }
}

// Issue 11, finding 4: cognito-local signs tokens with a private key published in its npm
// package (kid `CognitoLocal`), so anyone could mint tokens. Its signer and its JWKS are
// pointed at the data directory's own key before its modules load; the key id follows.
function useSigningKey(root, key) {
  const shipped = require(path.join(root, 'lib/keys/cognitoLocal.private.json'))
  shipped.pem = key.privateKeyPem
  delete shipped.jwk
  const published = require(path.join(root, 'lib/keys/cognitoLocal.public.json'))
  published.jwk = key.publicJwk
  published.pem = key.publicKeyPem
  const jwt = require(require.resolve('jsonwebtoken', { paths: [root] }))
  const sign = jwt.sign
  jwt.sign = function (payload, secretOrKey, options, callback) {
    const withKid = options && options.keyid ? { ...options, keyid: key.publicJwk.kid } : options
    return sign.call(this, payload, secretOrKey, withKid, callback)
  }
}

async function startCognito(init) {
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
  if (!init.signingKey) throw new Error('cognito-local needs the data directory\'s signing key')
  useSigningKey(root, init.signingKey)
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
process.once('message', (init) => {
  if (!init || init.type !== 'init') {
    console.error('expected {type:"init"} first on the IPC channel')
    process.exit(2)
  }
  if (init.upstreamSecret) requireUpstreamSecret(init.upstreamSecret)
  start(init).then(
    () => process.send?.({ type: 'ready' }),
    (err) => {
      console.error(err && err.stack ? err.stack : String(err))
      process.exit(1)
    },
  )
})
