/**
 * Starts the whole of Whimsy Space on 127.0.0.1: the S3 engine (in process), the emulators, the authorization gateway, the
 * identity pool, the mailbox and the app. Used by `npm start` and, on free ports with a
 * throw-away data directory, by every test suite.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join, resolve } from 'node:path'
import { ChangeLogWriter, changeOfKvWrite, changeOfS3Record } from '@whimsy/change-feed'
import { authenticatedRolePolicy, changeFeedReaderPolicy, type PolicyDocument, publicReadBucketPolicy } from '@whimsy/infra/policies'
import type { WhimsyConfig } from '@whimsy/sdk/config'
import { createAppServer, prepareApp } from './app-server.js'
import type { AdminKey } from './authenticate.js'
import { ensureBucket, ensureChangeLogTable, ensureHandlesTable, ensureTable, ensureUserPool, PASSWORD_POLICY, trustedDynamoDb } from './bootstrap.js'
import { createChangeChannel, REALTIME_PATH } from './change-channel.js'
import { createCognitoOverrides } from './cognito-overrides.js'
import { createCognitoSrp } from './cognito-srp.js'
import { CredentialMint } from './credentials.js'
import { type EmulatorHeaders, UPSTREAM_HEADER } from './emulator-access.js'
import type { EmulatorKind } from './emulators/emulators.js'
import { superviseEmulator } from './emulators/supervisor.js'
import { createFeedQueue } from './feed-queue.js'
import { createFrontDoor } from './front-door.js'
import { createAuthorizer, createGatewayHandler } from './gateway.js'
import { createLocalHandles } from './handle-registry.js'
import { createIdTokenVerifier } from './id-token-verifier.js'
import { IdentityPool } from './identity-pool.js'
import { createKvWriteSource } from './kv-writes.js'
import { isLoopbackHost, isSitesHost } from './local-hosts.js'
import type { HealthReport } from './local-routes.js'
import { Mailbox } from './mailbox.js'
import { PortInUseError } from './ports.js'
import { createS3Engine } from './s3/engine/engine.js'
import type { S3Engine } from './s3/engine/types.js'
import { importS3rverData, setAsideS3rverData } from './s3/migrate-s3rver.js'
import { loadSdkFiles, unavailableSdkFiles } from './sdk-files.js'
import { SignOuts } from './sign-outs.js'
import { createSitesEdge } from './sites-edge.js'
import { loadState, saveState } from './state.js'
import { loadUserPoolKey } from './user-pool-key.js'
import { userPoolUsers } from './user-pool-passwords.js'
import { createUserPoolTokenVerifier } from './user-pool-tokens.js'

export interface LocalCloudOptions {
  /** Where all data lives. Default `.whimsy` in the current directory. */
  dataDir?: string
  /** Start from nothing: delete the data directory first. */
  reset?: boolean
  /** Port of the app (Briefcase); 0 picks a free one. The API uses `apiPort`. */
  appPort?: number
  /** Port of the AWS-compatible API (the gateway); 0 picks a free one. */
  apiPort?: number
  /** Port of the user-site edge (`http://<handle>.localhost:<port>/`); 0 picks a free one. */
  sitesPort?: number
  /** Lifetime of identity-pool credentials; AWS's is 3600. Tests shorten it. */
  credentialLifetimeSeconds?: number
  /** Reports credential expiry this many seconds late, as a client with a slow clock sees it. For tests. */
  reportedExpiryLagSeconds?: number
  /**
   * A DynamoDB server to use instead of starting dynalite, e.g. AWS's DynamoDB Local (run with
   * `-sharedDb`), to run the same suites on AWS's engine. Default: dynalite.
   */
  dynamodbEndpoint?: string
  /** Where progress lines and mailbox codes go. Default: nowhere. */
  log?: (line: string) => void
  /** The S3 engine's and the change feed's clock (timestamps, lifecycle, log retention). Tests move it. Default: the real clock. */
  now?: () => Date
  /**
   * More app origins the handle registry answers with CORS, besides the app's own: third-party
   * apps such as the examples' server, as production lists them in its `appOrigins`.
   */
  appOrigins?: string[]
  /** How long change-log entries are kept; an older cursor gets "resync". Default: 14 days, as production. */
  changeRetentionSeconds?: number
}

export interface LocalCloud {
  /** The configuration object the SDK takes, for this instance. */
  config: WhimsyConfig
  /** `sites`: the user-site edge's origin; sites themselves are `http://<handle>.<config.sitesDomain>/`. */
  /** `sdk`: the browser build's entry, `<api>/sdk/<version>/whimsy.js`. */
  urls: { app: string; api: string; config: string; mailbox: string; sites: string; sdk: string }
  /** The handle registry's table: granted to no user, read and written by the claim API only. */
  handlesTable: string
  dataDir: string
  /** Account-owner credentials: bypass the user policies, as the AWS account root would. */
  admin: AdminKey
  mailbox: Mailbox
  /** The emulators' own endpoints: never given to clients; for benchmarks and debugging. (S3 has none: its engine runs in process.) */
  emulatorUrls: { dynamodb: string; cognito: string }
  /**
   * Headers each call to `emulatorUrls.dynamodb` / `.cognito` must carry: dynalite and
   * cognito-local refuse anything else (issue 11, finding 10). Empty for an external DynamoDB.
   */
  emulatorHeaders: EmulatorHeaders
  /** The in-process S3 engine behind the gateway's S3 front: for tests and benchmarks that need to reach under the HTTP layer. */
  engine: S3Engine
  /** Process ids of the emulator children (current ones: they change when one is restarted). */
  pids: Partial<Record<EmulatorKind, number>>
  /** What `/_whimsy/health` reports: each part `up`, `restarting` or `down`. */
  health(): HealthReport
  /** Derives the identityId the identity pool gives a user-pool `sub`. */
  identityIdFor(sub: string): string
  /** The change log's table (issue 15): its owner may read their partition; only the feed writer writes. */
  changeLogTable: string
  /** Erases an identity's change log, as the trusted erase function does on account deletion. */
  eraseChangeLog(identityId: string): Promise<number>
  stop(): Promise<void>
}

export const REGION = 'us-east-1'
export const ACCOUNT_ID = '000000000000'
const BUCKET = 'whimsy-local'
const TABLE = 'whimsy-local-data'
const HANDLES_TABLE = 'whimsy-local-handles'
const CHANGES_TABLE = 'whimsy-local-changes'
const HOST = '127.0.0.1'

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? (() => {})
  const dataDir = resolve(options.dataDir ?? '.whimsy')
  if (options.reset) rmSync(dataDir, { recursive: true, force: true })
  // cognito-local keeps password hashes in its files: the data directory is its owner's alone
  // (issue 11, finding 10), including one made before this rule.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  chmodSync(dataDir, 0o700)
  const state = loadState(dataDir, REGION)
  const userPoolKey = loadUserPoolKey(dataDir)
  // Only the gateway knows it; the emulators refuse calls without it (finding 10).
  const upstreamSecret = randomBytes(32).toString('base64url')
  const appBuilt = prepareApp()
  appBuilt.catch(() => {}) // reported by the app server

  // Claim the public ports first: a port in use fails in milliseconds, before any child starts.
  // Their doors answer 503 until the handlers are ready, and only loopback Host names ever.
  const doors = { api: createFrontDoor(isLoopbackHost), app: createFrontDoor(isLoopbackHost), sites: createFrontDoor(isSitesHost) }
  const api = await listen(createServer(doors.api.listener), options.apiPort ?? 0, 'API')
  let app: Server | undefined
  let sites: Server | undefined
  const emulators: { stop(): Promise<void> }[] = []
  let engine: S3Engine | undefined
  try {
    app = await listen(createServer(doors.app.listener), options.appPort ?? 0, 'app')
    sites = await listen(createServer(doors.sites.listener), options.sitesPort ?? 0, 'user sites')
    // Built (only when stale) while the emulators start; a failed build leaves /sdk/ saying why.
    const sdkFiles = loadSdkFiles().catch((e: unknown) => {
      log(`The SDK's browser build failed: ${String((e as Error)?.message ?? e)}`)
      return unavailableSdkFiles(String((e as Error)?.message ?? e))
    })
    const mailbox = new Mailbox(log)
    const logDir = join(dataDir, 'logs')
    const supervise = { log }
    const gated = { upstreamSecret }
    // A data directory from the s3rver version: its folder is set aside before the engine opens `s3/`.
    const s3rverImport = await setAsideS3rverData(dataDir)
    // In process and quick to open; opened first so a failed start below always closes it.
    const s3 = await createS3Engine({ dir: join(dataDir, 's3'), region: REGION, now: options.now })
    engine = s3
    const [cognito, dynamodb] = await Promise.all([
      superviseEmulator(
        { kind: 'cognito', dataDir: join(dataDir, 'cognito'), logDir, onMessage: (m) => mailbox.deliver(m), init: { ...gated, signingKey: userPoolKey } },
        supervise,
      ),
      options.dynamodbEndpoint ? undefined : superviseEmulator({ kind: 'dynamodb', dataDir: join(dataDir, 'dynamodb'), logDir, init: gated }, supervise),
    ])
    for (const e of [cognito, dynamodb]) if (e) emulators.push(e)
    const upstreams = { dynamodb: dynamodb?.url ?? (options.dynamodbEndpoint as string), cognito: cognito.url }
    const gatewayHeader = { [UPSTREAM_HEADER]: upstreamSecret }
    // An external DynamoDB (AWS's DynamoDB Local) is reached as it always was.
    const emulatorHeaders: EmulatorHeaders = { dynamodb: dynamodb ? gatewayHeader : {}, cognito: gatewayHeader }
    const health = (): HealthReport => {
      const parts = { dynamodb: dynamodb?.state ?? 'up', cognito: cognito.state, s3: 'up' as const }
      return { ok: Object.values(parts).every((p) => p === 'up'), parts }
    }

    const input = { region: REGION, bucket: BUCKET, table: TABLE, emulators: upstreams, emulatorHeaders, state }
    const [pool, , table] = await Promise.all([
      ensureUserPool(input),
      ensureBucket(s3, BUCKET),
      ensureTable(input),
      ensureHandlesTable(input, HANDLES_TABLE),
      ensureChangeLogTable(input, CHANGES_TABLE),
    ])
    if (s3rverImport) await importS3rverData(dataDir, s3, log)
    if (pool.userPoolId !== state.userPoolId || pool.userPoolClientId !== state.userPoolClientId) {
      Object.assign(state, pool)
      saveState(dataDir, state)
    }

    const apiUrl = `http://${HOST}:${portOf(api)}`
    const appUrl = `http://localhost:${portOf(app)}`
    const sitesUrl = `http://${HOST}:${portOf(sites)}`
    const config: WhimsyConfig = {
      region: REGION,
      userPoolId: pool.userPoolId,
      userPoolClientId: pool.userPoolClientId,
      identityPoolId: state.identityPoolId,
      bucket: BUCKET,
      table: TABLE,
      sitesDomain: `localhost:${portOf(sites)}`,
      sitesProtocol: 'http',
      handlesApi: `${apiUrl}/_whimsy/handles`,
      endpoints: { cognitoIdentityProvider: apiUrl, cognitoIdentity: apiUrl, s3: apiUrl, dynamodb: apiUrl, sites: sitesUrl },
      s3ForcePathStyle: true,
      passwordPolicy: PASSWORD_POLICY,
      changes: { table: CHANGES_TABLE, http: `${apiUrl}/event`, realtime: `ws://${HOST}:${portOf(api)}${REALTIME_PATH}` },
    }

    const secret = Buffer.from(state.secret, 'hex')
    const mint = new CredentialMint(secret)
    // cognito-local puts its own address in `iss`.
    const issuer = `${cognito.url}/${pool.userPoolId}`
    const signOuts = new SignOuts(dataDir)
    const users = userPoolUsers(join(dataDir, 'cognito'), pool.userPoolId)
    const identityPool = new IdentityPool({
      region: REGION,
      identityPoolId: state.identityPoolId,
      userPoolId: pool.userPoolId,
      secret,
      mint,
      verifyIdToken: createIdTokenVerifier({ issuer, clientId: pool.userPoolClientId, jwk: userPoolKey.publicJwk }),
      isTokenRevoked: (claims) => signOuts.isRevoked(claims.username, claims.iat),
      credentialLifetimeSeconds: options.credentialLifetimeSeconds ?? 3600,
      reportedExpiryLagSeconds: options.reportedExpiryLagSeconds,
    })
    const handles = createLocalHandles({
      region: REGION,
      dynamodb: upstreams.dynamodb,
      dynamodbHeaders: emulatorHeaders.dynamodb,
      table: HANDLES_TABLE,
      identityPool,
      identityPoolId: state.identityPoolId,
      userPoolId: pool.userPoolId,
      verifyIdToken: createIdTokenVerifier({ issuer, clientId: pool.userPoolClientId, jwk: userPoolKey.publicJwk }),
      allowedOrigins: [appUrl, `http://${HOST}:${portOf(app)}`, ...(options.appOrigins ?? [])],
      erase: {
        s3Endpoint: apiUrl,
        admin: state.admin,
        bucket: BUCKET,
        table: TABLE,
        // Last, after the files and items whose deletion it logged: the change log goes too.
        extraErasers: [(identityId) => eraseFeedOf(identityId)],
      },
    })
    const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${TABLE}`
    const changeLogTableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${CHANGES_TABLE}`
    const eventApiArn = `arn:aws:appsync:${REGION}:${ACCOUNT_ID}:apis/local`
    const policies = {
      // Production attaches the two documents as two policies of one role; IAM unions them.
      authenticatedRole: withStatements(authenticatedRolePolicy({ bucketName: BUCKET, tableArn }), changeFeedReaderPolicy({ changeLogTableArn, eventApiArn })),
      bucket: publicReadBucketPolicy({ bucketName: BUCKET, region: REGION }),
    }

    // The change feed: the engine's change records and the gateway's accepted key-value writes
    // go to the writer the production Lambda runs; it rings the channel when a log grows.
    const channel = createChangeChannel({
      mint,
      admin: state.admin,
      namespaceArn: `${eventApiArn}/channelNamespace/changes`,
      authorize: createAuthorizer({ config, accountId: ACCOUNT_ID, policies }),
    })
    const feedDdb = trustedDynamoDb(REGION, upstreams.dynamodb, emulatorHeaders.dynamodb)
    const writer = new ChangeLogWriter({
      ddb: feedDdb,
      table: CHANGES_TABLE,
      retentionSeconds: options.changeRetentionSeconds,
      now: options.now,
      deleteExpired: true,
      onAppended: (identityId, head) => channel.ring(identityId, head),
    })
    const { feed, drain: drainFeed } = createFeedQueue(writer, log)
    // What the erase just deleted is still on its way to the log: let it land, then erase the log.
    const eraseFeedOf = async (identityId: string): Promise<void> => {
      await drainFeed()
      await writer.erase(identityId)
    }
    const stopFeed = s3.subscribe((record) => {
      if (record.s3.bucket.name !== BUCKET) return
      const change = changeOfS3Record(record)
      if (change) feed([change])
    })
    const kvWrites = createKvWriteSource(TABLE, options.now ?? (() => new Date()))

    const gateway = createGatewayHandler({
      config,
      accountId: ACCOUNT_ID,
      upstreams,
      emulatorHeaders,
      engine: s3,
      mint,
      admin: state.admin,
      identityPool,
      mailbox,
      policies,
      onDynamoDbWritten: (operation, request, answer) => feed(kvWrites(operation, request, answer).map(changeOfKvWrite)),
      cognitoOverrides: createCognitoOverrides({
        signOuts,
        verifyToken: createUserPoolTokenVerifier(issuer, userPoolKey.publicJwk),
        passwordPolicy: PASSWORD_POLICY,
        mailbox,
        userPoolId: pool.userPoolId,
        upstream: (operation, body) => callCognito(cognito.url, emulatorHeaders.cognito, operation, body),
        resolveAlias: async (name) => (await users.find(name))?.username,
        srp: createCognitoSrp({
          userPoolId: pool.userPoolId,
          secret,
          users,
          upstream: (operation, body) => callCognito(cognito.url, emulatorHeaders.cognito, operation, body),
        }),
      }),
      tables: (name) =>
        name === TABLE
          ? { arn: tableArn, partitionKey: table.partitionKey }
          : name === HANDLES_TABLE
            ? { arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${HANDLES_TABLE}`, partitionKey: 'pk' }
            : name === CHANGES_TABLE
              ? { arn: changeLogTableArn, partitionKey: 'identityId' }
              : undefined,
      handles: handles.listener,
      health,
      sdkFiles: await sdkFiles,
    })
    doors.api.open(gateway)
    // WebSocket upgrades skip the request handler: the same Host check as every request here.
    api.on('upgrade', (req, socket, head) => {
      if (!isLoopbackHost(req.headers.host)) socket.end('HTTP/1.1 421 Misdirected Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
      else channel.upgrade(req, socket, head)
    })
    // 100 Continue goes out only once a request is authorized, just before its body is read.
    api.on('checkContinue', doors.api.listener)
    doors.app.open(await createAppServer({ config, apiUrl, built: appBuilt, log }))
    doors.sites.open(createSitesEdge({ sitesDomain: config.sitesDomain, engine: s3, bucket: BUCKET, lookupHandle: handles.lookup }))

    writeFileSync(join(dataDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`)

    const servers = [api, app, sites]
    return {
      config,
      urls: {
        app: appUrl,
        api: apiUrl,
        config: `${apiUrl}/_whimsy/config.json`,
        mailbox: `${apiUrl}/_whimsy/mailbox`,
        sites: sitesUrl,
        sdk: `${apiUrl}/sdk/${(await sdkFiles).version}/whimsy.js`,
      },
      handlesTable: HANDLES_TABLE,
      dataDir,
      admin: state.admin,
      mailbox,
      emulatorUrls: upstreams,
      emulatorHeaders,
      engine: s3,
      pids: {
        get dynamodb() {
          return dynamodb?.pid
        },
        get cognito() {
          return cognito.pid
        },
      },
      health,
      identityIdFor: (sub) => identityPool.identityIdFor(sub),
      changeLogTable: CHANGES_TABLE,
      eraseChangeLog: (identityId) => writer.erase(identityId),
      async stop() {
        stopFeed()
        // Appends under way (and what is queued, started now) finish before dynalite stops: an
        // acknowledged write is logged.
        const draining = drainFeed()
        channel.close()
        await Promise.all(servers.map(close))
        await draining
        feedDdb.destroy()
        await Promise.all(emulators.map((e) => e.stop()))
        await s3.close()
        handles.destroy()
      },
    }
  } catch (e) {
    await Promise.all([close(api), app ? close(app) : undefined, sites ? close(sites) : undefined, ...emulators.map((x) => x.stop()), engine?.close()])
    throw e
  }
}

function withStatements(a: PolicyDocument, b: PolicyDocument): PolicyDocument {
  return { ...a, Statement: [...a.Statement, ...b.Statement] }
}

/** One user-pool call straight to cognito-local, for the local cloud's own additions. */
async function callCognito(
  url: string,
  headers: Record<string, string>,
  operation: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> }
}

function listen(server: Server, port: number, purpose: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(port, purpose) : e))
    server.listen(port, HOST, () => resolvePromise(server))
  })
}

function portOf(server: Server): number {
  const address = server.address()
  return typeof address === 'object' && address ? address.port : 0
}

function close(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.closeAllConnections()
    server.close(() => resolvePromise())
  })
}
