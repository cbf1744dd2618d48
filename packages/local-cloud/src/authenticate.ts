/**
 * Who is calling: anonymous, a user holding identity-pool credentials, or the local cloud's
 * administrator (the account owner, which tests and tools use). Every signed request has its
 * signature checked; a request with a bad signature is refused, never downgraded to anonymous.
 */
import type { CredentialMint } from './credentials.js'
import { type IncomingRequest, parseSignature, SignatureError, verifySignature } from './sigv4.js'

export type Principal = { kind: 'anonymous' } | { kind: 'user'; identityId: string } | { kind: 'admin' }

export interface AdminKey {
  accessKeyId: string
  secretAccessKey: string
}

export type AuthFailureCode =
  | 'InvalidAccessKeyId'
  | 'ExpiredToken'
  | 'InvalidToken'
  | 'SignatureDoesNotMatch'
  | 'IncompleteSignature'
  | 'AccessDenied'
  | 'RequestExpired'

export type AuthResult = { ok: true; principal: Principal; service?: string } | { ok: false; code: AuthFailureCode; message: string }

export async function authenticate(req: IncomingRequest, mint: CredentialMint, admin: AdminKey): Promise<AuthResult> {
  try {
    const info = parseSignature(req)
    if (!info) return { ok: true, principal: { kind: 'anonymous' } }
    let principal: Principal
    let secret: string
    if (info.accessKeyId === admin.accessKeyId) {
      principal = { kind: 'admin' }
      secret = admin.secretAccessKey
    } else {
      const check = mint.check(info.accessKeyId, info.sessionToken)
      if (!check.ok) return check
      principal = { kind: 'user', identityId: check.claims.identityId }
      secret = mint.secretFor(info.accessKeyId)
    }
    await verifySignature(req, info, secret)
    return { ok: true, principal, service: info.service }
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, code: e.code, message: e.message }
    throw e
  }
}
