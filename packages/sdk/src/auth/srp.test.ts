/**
 * Our SRP against amazon-cognito-identity-js, the reference client, for the same inputs (its
 * random `a` replaced by ours): the same A, u, S, derived key and signature. A server half built
 * from the same primitives (as the local user pool's) then accepts the claim.
 */

import { createHmac } from 'node:crypto'
import { createRequire } from 'node:module'
import * as reference from 'amazon-cognito-identity-js'
import { describe, expect, it } from 'vitest'
import {
  answerPasswordVerifier,
  bytesToHex,
  clientSecret,
  cognitoTimestamp,
  derivedKey,
  g,
  modPow,
  multiplier,
  N,
  padHex,
  passwordExponent,
  scramble,
} from './srp.js'

type Big = { toString(radix: number): string }
interface Helper {
  smallAValue: Big
  largeAValue?: Big
  UValue: Big
  getLargeAValue(cb: (err: unknown, A: Big) => void): void
  getPasswordAuthenticationKey(user: string, password: string, B: Big, salt: Big, cb: (err: unknown, key: Uint8Array) => void): void
  calculateS(x: Big, B: Big, cb: (err: unknown, S: Big) => void): void
}
// The library exports these two but does not declare them; its bignum is not exported at all.
const { AuthenticationHelper, DateHelper } = reference as unknown as {
  AuthenticationHelper: new (pool: string) => Helper
  DateHelper: new () => { getNowString(): string }
}
const BigInteger = createRequire(import.meta.url)('amazon-cognito-identity-js/lib/BigInteger.js').default as new (hex: string, radix: number) => Big
const big = (n: bigint): Big => new BigInteger(n.toString(16), 16)
const fromBig = (b: Big) => BigInt(`0x${b.toString(16)}`)

const POOL = 'AbCdEf123'
const USER = 'daniel'
const PASSWORD = 'correct-horse-42'
const a = BigInt(`0x${'5a'.repeat(128)}`)
const b = BigInt(`0x${'c3'.repeat(128)}`)
const salt = BigInt('0x9f2b1c44aa01ee7d3c5b6a7980f1e2d3') // top bit set: padHex adds 00
const secretBlock = Buffer.from('the server keeps this block').toString('base64')

/** What the local user pool computes: v = g^x, B = k·v + g^b. */
async function serverB(): Promise<{ B: bigint; v: bigint }> {
  const v = modPow(g, await passwordExponent(POOL, USER, PASSWORD, salt), N)
  return { v, B: ((await multiplier()) * v + modPow(g, b, N)) % N }
}

describe('SRP as amazon-cognito-identity-js computes it', () => {
  it('gives the same A, u, S, key and signature for the same randoms', async () => {
    const { B } = await serverB()
    const helper = new AuthenticationHelper(POOL)
    helper.smallAValue = big(a)
    helper.largeAValue = undefined
    const theirA = await new Promise<Big>((resolve) => helper.getLargeAValue((_e, A) => resolve(A)))
    const theirKey = await new Promise<Uint8Array>((resolve) => helper.getPasswordAuthenticationKey(USER, PASSWORD, big(B), big(salt), (_e, k) => resolve(k)))
    const x = await passwordExponent(POOL, USER, PASSWORD, salt)
    const theirS = await new Promise<Big>((resolve) => helper.calculateS(big(x), big(B), (_e, S) => resolve(S)))
    const timestamp = new DateHelper().getNowString()
    const theirSignature = createHmac('sha256', theirKey)
      .update(Buffer.concat([Buffer.from(POOL), Buffer.from(USER), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp)]))
      .digest('base64')

    const secret = clientSecret(a)
    const ours = await answerPasswordVerifier({ secret, poolName: POOL, userId: USER, password: PASSWORD, B, salt, secretBlock, timestamp })
    expect(secret.A).toBe(fromBig(theirA))
    expect(ours.u).toBe(fromBig(helper.UValue))
    expect(ours.S).toBe(fromBig(theirS))
    expect(bytesToHex(ours.key)).toBe(Buffer.from(theirKey).toString('hex'))
    expect(ours.signature).toBe(theirSignature)
  })

  it("the server's S matches, so the server derives the same key", async () => {
    const { B, v } = await serverB()
    const secret = clientSecret(a)
    const ours = await answerPasswordVerifier({ secret, poolName: POOL, userId: USER, password: PASSWORD, B, salt, secretBlock, timestamp: cognitoTimestamp() })
    const u = await scramble(secret.A, B)
    const serverS = modPow(secret.A * modPow(v, u, N), b, N)
    expect(bytesToHex(await derivedKey(serverS, u))).toBe(bytesToHex(ours.key))
    const wrong = await answerPasswordVerifier({
      secret,
      poolName: POOL,
      userId: USER,
      password: 'wrong-horse-42',
      B,
      salt,
      secretBlock,
      timestamp: cognitoTimestamp(),
    })
    expect(wrong.signature).not.toBe(ours.signature)
  })

  it('pads hex as Cognito does, and formats the timestamp with an unpadded day', () => {
    expect(padHex(0x14n)).toBe('14')
    expect(padHex(0xecn)).toBe('00ec')
    expect(padHex(0x1abn)).toBe('01ab')
    expect(cognitoTimestamp(new Date(Date.UTC(2026, 11, 1, 3, 4, 5)))).toBe('Tue Dec 1 03:04:05 UTC 2026')
    expect(cognitoTimestamp(new Date(Date.UTC(2026, 0, 25, 13, 0, 0)))).toBe(new DateHelperAt(Date.UTC(2026, 0, 25, 13, 0, 0)).now())
  })
})

/** The reference's format for a fixed time (it reads the clock itself). */
class DateHelperAt {
  constructor(private readonly at: number) {}
  now(): string {
    const RealDate = Date
    const at = this.at
    globalThis.Date = class extends RealDate {
      constructor() {
        super(at)
      }
    } as DateConstructor
    try {
      return new DateHelper().getNowString()
    } finally {
      globalThis.Date = RealDate
    }
  }
}
