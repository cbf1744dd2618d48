/**
 * Cognito's variant of SRP-6a, as amazon-cognito-identity-js computes it, on BigInt and
 * WebCrypto (browsers and Node 20 alike) — hand-written because that library carries a bignum
 * library, a SHA-256, `buffer` and its own user/session objects (8 % of the SDK's bundle), and
 * no maintained small package implements Cognito's particulars (its `padHex`, the
 * `poolName | username` hash, HKDF "Caldera Derived Key", the timestamp format).
 *
 * The client half is here; the local cloud's user pool builds its server half from the same
 * primitives (`packages/local-cloud/src/cognito-srp.ts`). Values cross the wire as hex.
 */

/** RFC 5054's 3072-bit group, which Cognito uses, with generator 2. */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF'
export const N = BigInt(`0x${N_HEX}`)
export const g = 2n
const INFO = new TextEncoder().encode('Caldera Derived Key\u0001')

/**
 * Cognito's unambiguous hex of a non-negative integer: even length, and a `00` in front when
 * the top bit is set (the two's-complement bytes Java's `BigInteger.toByteArray` gives).
 */
export function padHex(n: bigint): string {
  if (n < 0n) throw new RangeError('padHex takes non-negative values')
  let hex = n.toString(16)
  if (hex.length % 2 !== 0) hex = `0${hex}`
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new RangeError('not an even-length hex string')
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return hex
}

/** Parses a hex integer as the wire carries it (`SRP_A`, `SRP_B`, `SALT`); undefined if it is not one. */
export function parseHex(hex: unknown): bigint | undefined {
  if (typeof hex !== 'string' || !/^[0-9a-f]{1,2048}$/i.test(hex)) return undefined
  return BigInt(`0x${hex}`)
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
}

export async function hmac(key: Uint8Array<ArrayBuffer>, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, message))
}

/** SHA-256 of the bytes a hex string spells, as a bigint. */
export async function hexHash(hex: string): Promise<bigint> {
  return BigInt(`0x${bytesToHex(await sha256(hexToBytes(hex)))}`)
}

/**
 * base^exp mod m by square-and-multiply. Not constant-time: the exponents are one sign-in's
 * random values, and a browser's BigInt offers nothing better.
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n
  let b = ((base % m) + m) % m
  let e = exp
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m
    e >>= 1n
    b = (b * b) % m
  }
  return result
}

let kValue: Promise<bigint> | undefined
/** k = H(N | g), the SRP-6a multiplier. */
export function multiplier(): Promise<bigint> {
  kValue ??= hexHash(padHex(N) + padHex(g))
  return kValue
}

/** A random exponent of 128 bytes, as the reference client draws it. */
export function randomExponent(): bigint {
  return BigInt(`0x${bytesToHex(crypto.getRandomValues(new Uint8Array(128)))}`) % N
}

/** The pool's name as SRP hashes it: the part of the pool id after the region (`us-east-1_AbC` → `AbC`). */
export function poolNameOf(userPoolId: string): string {
  return userPoolId.split('_')[1] ?? userPoolId
}

/** x = H(salt | H(poolName | userId | ':' | password)). */
export async function passwordExponent(poolName: string, userId: string, password: string, salt: bigint): Promise<bigint> {
  const inner = bytesToHex(await sha256(new TextEncoder().encode(`${poolName}${userId}:${password}`)))
  return hexHash(padHex(salt) + inner)
}

/** u = H(A | B). */
export function scramble(A: bigint, B: bigint): Promise<bigint> {
  return hexHash(padHex(A) + padHex(B))
}

/** The 16-byte key both sides derive from S: HKDF-SHA256 with salt u and info "Caldera Derived Key". */
export async function derivedKey(S: bigint, u: bigint): Promise<Uint8Array<ArrayBuffer>> {
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)))
  return (await hmac(prk, INFO)).slice(0, 16)
}

/** The claim: base64 HMAC(key, poolName | userId | SECRET_BLOCK bytes | timestamp). */
export async function passwordSignature(
  key: Uint8Array<ArrayBuffer>,
  poolName: string,
  userId: string,
  secretBlock: string,
  timestamp: string,
): Promise<string> {
  const text = new TextEncoder()
  return toBase64(await hmac(key, concatBytes(text.encode(poolName), text.encode(userId), fromBase64(secretBlock), text.encode(timestamp))))
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number) => String(n).padStart(2, '0')

/** Cognito's TIMESTAMP, "ddd MMM D HH:mm:ss UTC YYYY" (the day of the month unpadded). */
export function cognitoTimestamp(date = new Date()): string {
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
}

/** The client's side of one sign-in: its secret a and public A = g^a. */
export interface SrpClientSecret {
  a: bigint
  A: bigint
}

export function clientSecret(a = randomExponent()): SrpClientSecret {
  return { a, A: modPow(g, a, N) }
}

/** Answers the PASSWORD_VERIFIER challenge: the intermediate values too, for the equivalence test. */
export async function answerPasswordVerifier(input: {
  secret: SrpClientSecret
  poolName: string
  userId: string
  password: string
  B: bigint
  salt: bigint
  secretBlock: string
  timestamp: string
}): Promise<{ u: bigint; S: bigint; key: Uint8Array<ArrayBuffer>; signature: string }> {
  const { a, A } = input.secret
  if (input.B % N === 0n) throw new RangeError('The server sent an invalid SRP_B.')
  const u = await scramble(A, input.B)
  if (u === 0n) throw new RangeError('The server sent an invalid SRP_B.')
  const x = await passwordExponent(input.poolName, input.userId, input.password, input.salt)
  const k = await multiplier()
  const S = modPow(input.B - k * modPow(g, x, N), a + u * x, N)
  const key = await derivedKey(S, u)
  const signature = await passwordSignature(key, input.poolName, input.userId, input.secretBlock, input.timestamp)
  return { u, S, key, signature }
}
