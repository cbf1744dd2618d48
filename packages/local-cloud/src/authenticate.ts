/**
 * Who is calling: anonymous, a user holding identity-pool credentials, or the local cloud's
 * administrator (the account owner, which tests and tools use). Every signed request has its
 * signature checked; a request with a bad signature is refused, never downgraded to anonymous.
 *
 * Two steps, so no body is read for a caller we cannot know: `identify` reads the signature's
 * claims and looks the access key up (headers only); `verify` then checks the signature over
 * the payload hash (for S3 the signed `x-amz-content-sha256`, for JSON services the body's).
 */
import type { CredentialMint } from './credentials.js'
import { type IncomingRequest, parseSignature, SignatureError, type SignedRequestInfo, type VerifiedSignature, verifySignature } from './sigv4.js'

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

export type AuthFailure = { ok: false; code: AuthFailureCode; message: string }

export type Identified =
  | { ok: true; principal: { kind: 'anonymous' }; info?: undefined; secret?: undefined }
  | { ok: true; principal: Principal; info: SignedRequestInfo; secret: string }
  | AuthFailure

export function identify(req: Pick<IncomingRequest, 'rawQuery' | 'headers'>, mint: CredentialMint, admin: AdminKey): Identified {
  try {
    const info = parseSignature(req)
    if (!info) return { ok: true, principal: { kind: 'anonymous' } }
    if (info.accessKeyId === admin.accessKeyId) return { ok: true, principal: { kind: 'admin' }, info, secret: admin.secretAccessKey }
    const check = mint.check(info.accessKeyId, info.sessionToken)
    if (!check.ok) return check
    return { ok: true, principal: { kind: 'user', identityId: check.claims.identityId }, info, secret: mint.secretFor(info.accessKeyId) }
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, code: e.code, message: e.message }
    throw e
  }
}

export function verify(
  req: Omit<IncomingRequest, 'body'>,
  who: Extract<Identified, { ok: true }>,
  payloadHash: string,
): { ok: true; signature?: VerifiedSignature } | AuthFailure {
  if (!who.info) return { ok: true }
  try {
    return { ok: true, signature: verifySignature(req, who.info, who.secret, payloadHash) }
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, code: e.code, message: e.message }
    throw e
  }
}
