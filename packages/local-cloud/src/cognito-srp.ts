/**
 * `USER_SRP_AUTH` for the local user pool, which cognito-local lacks: the server half of
 * Cognito's SRP-6a (the primitives are the SDK's own, `@whimsy/sdk/srp`, so both halves are
 * the variant amazon-cognito-identity-js speaks — `srp.test.ts` checks that).
 *
 * `InitiateAuth` answers the `PASSWORD_VERIFIER` challenge (salt, B, a secret block);
 * `RespondToAuthChallenge` checks the claimed signature and, when it holds, gets the tokens
 * from cognito-local through the password flow with the stored password — so token issue,
 * unconfirmed users and every other rule stay cognito-local's. Unknown users get a challenge
 * that no answer passes, and the same "Incorrect username or password." as a wrong password,
 * as AWS answers with user-existence errors prevented.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import {
  cognitoTimestamp,
  derivedKey,
  fromBase64,
  g,
  modPow,
  multiplier,
  N,
  padHex,
  parseHex,
  passwordExponent,
  passwordSignature,
  poolNameOf,
  randomExponent,
  scramble,
  toBase64,
} from '@whimsy/sdk/srp'
import type { UserPoolUsers } from './user-pool-passwords.js'

type Answer = { status: number; body: unknown }

export interface CognitoSrpOptions {
  userPoolId: string
  /** The cloud's secret: salts are derived from it, so they are stable and need no store. */
  secret: Uint8Array
  users: UserPoolUsers
  upstream: (operation: string, body: Record<string, unknown>) => Promise<{ status: number; body: Record<string, unknown> }>
  now?: () => number
}

/** How long an answer may take; AWS's sign-in session lasts a few minutes too. */
const CHALLENGE_LIFETIME_MS = 5 * 60_000
/** How far the claimed TIMESTAMP may be from the server's clock. */
const CLOCK_TOLERANCE_MS = 5 * 60_000

interface Pending {
  /** Undefined for an unknown user: no answer passes. */
  username?: string
  key?: Uint8Array<ArrayBuffer>
  expiresAt: number
}

const refuse = (type: string, message: string): Answer => ({ status: 400, body: { __type: type, message } })
const incorrect = () => refuse('NotAuthorizedException', 'Incorrect username or password.')

export function createCognitoSrp(options: CognitoSrpOptions) {
  const now = options.now ?? Date.now
  const poolName = poolNameOf(options.userPoolId)
  const pending = new Map<string, Pending>()
  const saltOf = (username: string) =>
    BigInt(`0x${createHmac('sha256', options.secret).update(`srp-salt:${options.userPoolId}:${username.toLowerCase()}`).digest('hex').slice(0, 32)}`)

  const forgetExpired = () => {
    const t = now()
    for (const [block, p] of pending) if (p.expiresAt <= t) pending.delete(block)
  }

  return {
    async initiate(body: Record<string, unknown>): Promise<Answer> {
      const params = (body.AuthParameters ?? {}) as Record<string, unknown>
      const name = params.USERNAME
      const A = parseHex(params.SRP_A)
      if (typeof name !== 'string' || name === '') return refuse('InvalidParameterException', 'Missing required parameter USERNAME')
      if (A === undefined || A % N === 0n) return refuse('InvalidParameterException', 'SRP_A is missing or invalid.')
      forgetExpired()
      const user = await options.users.find(name)
      const userId = user?.username ?? name
      const salt = saltOf(userId)
      const b = randomExponent()
      const k = await multiplier()
      // An unknown user gets a B of the same shape (from a verifier of nothing): nothing tells them apart.
      const x = await passwordExponent(poolName, userId, user?.password ?? randomBytes(16).toString('hex'), salt)
      const v = modPow(g, x, N)
      const B = (k * v + modPow(g, b, N)) % N
      const u = await scramble(A, B)
      const S = modPow(A * modPow(v, u, N), b, N)
      const secretBlock = toBase64(randomBytes(64))
      pending.set(secretBlock, { username: user?.username, key: user ? await derivedKey(S, u) : undefined, expiresAt: now() + CHALLENGE_LIFETIME_MS })
      return {
        status: 200,
        body: {
          ChallengeName: 'PASSWORD_VERIFIER',
          ChallengeParameters: { SALT: padHex(salt), SECRET_BLOCK: secretBlock, SRP_B: B.toString(16), USERNAME: userId, USER_ID_FOR_SRP: userId },
        },
      }
    },

    async respond(body: Record<string, unknown>): Promise<Answer> {
      const r = (body.ChallengeResponses ?? {}) as Record<string, unknown>
      const { USERNAME: username, PASSWORD_CLAIM_SECRET_BLOCK: block, TIMESTAMP: timestamp, PASSWORD_CLAIM_SIGNATURE: signature } = r
      if ([username, block, timestamp, signature].some((v) => typeof v !== 'string'))
        return refuse('InvalidParameterException', 'PASSWORD_VERIFIER needs USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE.')
      forgetExpired()
      const challenge = pending.get(block as string)
      // One answer per challenge, right or wrong: a claim cannot be replayed or guessed at.
      pending.delete(block as string)
      if (!challenge?.username || !challenge.key) return incorrect()
      if (challenge.username.toLowerCase() !== (username as string).toLowerCase()) return incorrect()
      if (!timestampIsCurrent(timestamp as string, now())) return refuse('NotAuthorizedException', 'The TIMESTAMP of the password claim is not current.')
      const expected = fromBase64(await passwordSignature(challenge.key, poolName, challenge.username, block as string, timestamp as string))
      let given: Uint8Array
      try {
        given = fromBase64(signature as string)
      } catch {
        return incorrect()
      }
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return incorrect()
      // Proven: the tokens come from cognito-local's password flow, with its own checks.
      const user = await options.users.find(challenge.username)
      if (!user) return incorrect()
      const issued = await options.upstream('InitiateAuth', {
        ClientId: body.ClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      })
      if (issued.status !== 200) {
        const type = String(issued.body.__type ?? '')
        if (type === 'InvalidPasswordException' || type === 'NotAuthorizedException') return incorrect()
      }
      return { status: issued.status, body: issued.body }
    },
  }
}

/** Whether a "ddd MMM D HH:mm:ss UTC YYYY" timestamp is within the tolerance of `now`. */
function timestampIsCurrent(timestamp: string, now: number): boolean {
  const m = /^(\w{3}) (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(timestamp)
  if (!m) return false
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[2] as string)
  if (month < 0) return false
  const at = Date.UTC(Number(m[7]), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  // The weekday must agree too: the string is what was signed, so it must be the canonical one.
  return cognitoTimestamp(new Date(at)) === timestamp && Math.abs(at - now) <= CLOCK_TOLERANCE_MS
}
