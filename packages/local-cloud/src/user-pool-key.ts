/**
 * The key the local user pool signs its tokens with (issue 11, finding 4). cognito-local ships
 * one fixed private key in its npm package, so anyone could mint a token for any user and
 * trade it at the identity pool for that user's credentials. Each data directory gets its own
 * RSA key instead, created on first start and kept in `<dataDir>/user-pool-key.pem` (0600);
 * every verifier in the local cloud trusts that key and no other.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { JwkWithKid } from 'aws-jwt-verify/jwk'

export interface UserPoolKey {
  privateKeyPem: string
  publicKeyPem: string
  /** The public key as a JWK with `kid` (its RFC 7638 thumbprint), `alg` RS256, `use` sig. */
  publicJwk: JwkWithKid & { kty: 'RSA'; n: string; e: string }
}

export const USER_POOL_KEY_FILE = 'user-pool-key.pem'

export function loadUserPoolKey(dataDir: string): UserPoolKey {
  const file = join(dataDir, USER_POOL_KEY_FILE)
  let privateKeyPem: string
  try {
    privateKeyPem = readFileSync(file, 'utf8')
    chmodSync(file, 0o600)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    privateKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    // `wx`: two local clouds starting on one new directory must not each write a key.
    try {
      writeFileSync(file, privateKeyPem, { mode: 0o600, flag: 'wx' })
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again
      privateKeyPem = readFileSync(file, 'utf8')
    }
  }
  const publicKey = createPublicKey(privateKeyPem)
  const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string }
  const kid = createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url')
  return {
    privateKeyPem,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicJwk: { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' },
  }
}
