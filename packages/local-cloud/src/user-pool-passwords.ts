/**
 * The local user pool's users as cognito-local keeps them: one JSON file per pool under its data
 * directory, passwords in plain text. SRP needs the password (or a verifier made from it), and
 * cognito-local has no SRP and no call that returns either, so the gateway's SRP half
 * (`cognito-srp.ts`) reads the file. Read afresh on each sign-in, so a changed password or a
 * deleted user counts at once. Production's user pool keeps verifiers only; this is the local
 * cloud's shortcut, and the file lives in the 0700 data directory.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface StoredUser {
  username: string
  password: string
  email?: string
  emailVerified: boolean
}

interface CognitoLocalUser {
  Username?: string
  Password?: string
  UserStatus?: string
  Attributes?: { Name: string; Value?: string }[]
}

export function userPoolUsers(cognitoDataDir: string, userPoolId: string) {
  const file = join(cognitoDataDir, '.cognito', 'db', `${userPoolId}.json`)
  const all = async (): Promise<StoredUser[]> => {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '{}'
      throw e
    })
    const users = (JSON.parse(text || '{}') as { Users?: Record<string, CognitoLocalUser> }).Users ?? {}
    return Object.values(users).flatMap((u) => {
      if (typeof u.Username !== 'string' || typeof u.Password !== 'string') return []
      const attribute = (name: string) => u.Attributes?.find((a) => a.Name === name)?.Value
      // Confirming the sign-up proves the address (the code went there), as on AWS; cognito-local
      // sets `email_verified` only in some paths.
      const emailVerified = attribute('email_verified') === 'true' || u.UserStatus === 'CONFIRMED'
      return [{ username: u.Username, password: u.Password, email: attribute('email'), emailVerified }]
    })
  }
  return {
    /**
     * The user a sign-in names: by username (case-insensitive, as the pool is), else by a
     * verified e-mail address (the pool's `email` alias, as production's `signInAliases`).
     */
    async find(name: string): Promise<StoredUser | undefined> {
      const users = await all()
      const lower = name.toLowerCase()
      const byName = users.find((u) => u.username === name) ?? users.find((u) => u.username.toLowerCase() === lower)
      if (byName) return byName
      if (!name.includes('@')) return undefined
      const byEmail = users.filter((u) => u.emailVerified && u.email?.toLowerCase() === lower)
      // An alias names one user or none (AWS moves a verified alias rather than share it).
      return byEmail.length === 1 ? byEmail[0] : undefined
    },
  }
}

export type UserPoolUsers = ReturnType<typeof userPoolUsers>
