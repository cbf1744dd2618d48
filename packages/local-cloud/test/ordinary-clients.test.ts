/**
 * Ordinary S3 and DynamoDB clients that are not the AWS SDK for JavaScript — Debian's awscli
 * and rclone — working with a user's temporary credentials against the local cloud, as a
 * user of Whimsy Space would point them at production (issue 11, finding 9): their own prefix,
 * a 20 MB multipart upload, server-side copy (UploadPartCopy past the copy threshold), a sync
 * of nested folders that hold only folders, DynamoDB calls, and another user's prefix refused.
 *
 * The tools come from Debian (`bash .ci/run` installs them). `/usr/bin/aws` is called by its
 * full path: a pip-installed awscli may shadow it on PATH.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createUser, type TestUser } from '../../../test/users.js'

const cloud = inject('cloud')
const Bucket = cloud.config.bucket
const AWS = '/usr/bin/aws'
const RCLONE = '/usr/bin/rclone'

let alice: TestUser
let bob: TestUser
let work: string

beforeAll(async () => {
  for (const tool of [AWS, RCLONE])
    if (!existsSync(tool)) throw new Error(`${tool} is missing: install it with \`apt-get install -y awscli rclone\` (bash .ci/run does).`)
  ;[alice, bob] = await Promise.all([createUser(cloud, 'cli-a'), createUser(cloud, 'cli-b')])
  work = mkdtempSync(join(tmpdir(), 'whimsy-clients-'))
  // awscli reads ~/.aws; a home of its own keeps the developer's profiles out of the test.
  mkdirSync(join(work, 'home', '.aws'), { recursive: true })
  writeFileSync(join(work, 'home', '.aws', 'config'), '[default]\ns3 =\n  addressing_style = path\n')
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

interface Run {
  code: number
  stdout: string
  stderr: string
}

function run(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(work, 'home'), ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

function awsEnv(user: TestUser): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: user.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: user.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: user.credentials.sessionToken ?? '',
    AWS_DEFAULT_REGION: cloud.config.region,
    // Otherwise awscli probes the link-local instance-metadata address, which nothing here may contact.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  }
}

const aws = (user: TestUser, ...args: string[]) => run(AWS, ['--endpoint-url', cloud.urls.api, '--no-cli-pager', ...args], awsEnv(user))

function rcloneEnv(user: TestUser): Record<string, string> {
  return {
    RCLONE_CONFIG: join(work, 'rclone.conf'),
    RCLONE_CONFIG_WS_TYPE: 's3',
    RCLONE_CONFIG_WS_PROVIDER: 'Other',
    RCLONE_CONFIG_WS_ENV_AUTH: 'false',
    RCLONE_CONFIG_WS_ACCESS_KEY_ID: user.credentials.accessKeyId,
    RCLONE_CONFIG_WS_SECRET_ACCESS_KEY: user.credentials.secretAccessKey,
    RCLONE_CONFIG_WS_SESSION_TOKEN: user.credentials.sessionToken ?? '',
    RCLONE_CONFIG_WS_REGION: cloud.config.region,
    RCLONE_CONFIG_WS_ENDPOINT: cloud.urls.api,
    RCLONE_CONFIG_WS_FORCE_PATH_STYLE: 'true',
    // Users may not create or inspect the bucket itself.
    RCLONE_CONFIG_WS_NO_CHECK_BUCKET: 'true',
    // The bucket has ACLs off (as production's): S3 then accepts no ACL header but this one, which
    // AWS's docs tell users of such buckets to set.
    RCLONE_CONFIG_WS_ACL: 'bucket-owner-full-control',
  }
}

/** Small thresholds so a 20 MB file goes in 5 MiB parts and a copy uses UploadPartCopy. */
const rclone = (user: TestUser, ...args: string[]) =>
  run(
    RCLONE,
    ['--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--s3-copy-cutoff', '5M', '--retries', '1', '--low-level-retries', '2', ...args],
    rcloneEnv(user),
  )

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const ok = (r: Run) => expect(r, `exit ${r.code}: ${r.stderr}${r.stdout}`).toMatchObject({ code: 0 })

/** A tree with folders that hold only folders (`deep/a/`), as rclone sync meets them. */
function makeTree(root: string): Record<string, string> {
  const files: Record<string, string> = {
    'top.txt': 'top',
    'deep/a/b/leaf.txt': 'leaf',
    'deep/a/c/other leaf.txt': 'other',
    'photos/2026/12/01/cat.jpg': 'meow',
    'notes/日本語.md': 'こんにちは',
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return files
}

function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name)
      if (statSync(full).isDirectory()) walk(full)
      else out[relative(root, full)] = readFileSync(full, 'utf8')
    }
  }
  walk(root)
  return out
}

describe('awscli (Debian) with a user’s temporary credentials', () => {
  it('puts, lists, reads back and deletes in the user’s own prefix', async () => {
    const file = join(work, 'hello.txt')
    writeFileSync(file, 'hello from awscli')
    ok(await aws(alice, 's3', 'cp', file, `s3://${Bucket}/${alice.identityId}/cli/hello.txt`))
    const listed = await aws(alice, 's3', 'ls', `s3://${Bucket}/${alice.identityId}/cli/`)
    ok(listed)
    expect(listed.stdout).toContain('hello.txt')
    const read = await aws(alice, 's3', 'cp', `s3://${Bucket}/${alice.identityId}/cli/hello.txt`, '-')
    ok(read)
    expect(read.stdout).toBe('hello from awscli')
    ok(await aws(alice, 's3', 'rm', `s3://${Bucket}/${alice.identityId}/cli/hello.txt`))
    const gone = await aws(alice, 's3api', 'head-object', '--bucket', Bucket, '--key', `${alice.identityId}/cli/hello.txt`)
    expect(gone.code).not.toBe(0)
    expect(gone.stderr).toMatch(/404|Not Found/)
  })

  it('uploads 20 MB in parts and copies it server-side (UploadPartCopy), byte-identical', async () => {
    const big = randomBytes(20 * 1024 * 1024)
    const file = join(work, 'big.bin')
    writeFileSync(file, big)
    const key = `${alice.identityId}/cli/big.bin`
    ok(await aws(alice, 's3', 'cp', file, `s3://${Bucket}/${key}`))
    const head = await aws(alice, 's3api', 'head-object', '--bucket', Bucket, '--key', key)
    ok(head)
    // awscli's 8 MB default multipart threshold: the object is made of parts, so its ETag says how many.
    expect(JSON.parse(head.stdout).ETag).toMatch(/^"[0-9a-f]{32}-3"$/)
    ok(await aws(alice, 's3', 'cp', `s3://${Bucket}/${key}`, `s3://${Bucket}/${alice.identityId}/cli/big-copy.bin`))
    const out = join(work, 'big-copy.bin')
    ok(await aws(alice, 's3', 'cp', `s3://${Bucket}/${alice.identityId}/cli/big-copy.bin`, out))
    expect(sha256(readFileSync(out))).toBe(sha256(big))
  })

  it('syncs nested folders up and down, folders that hold only folders included', async () => {
    const src = join(work, 'aws-tree')
    const files = makeTree(src)
    ok(await aws(alice, 's3', 'sync', src, `s3://${Bucket}/${alice.identityId}/aws-tree/`))
    const back = join(work, 'aws-tree-back')
    ok(await aws(alice, 's3', 'sync', `s3://${Bucket}/${alice.identityId}/aws-tree/`, back))
    expect(readTree(back)).toEqual(files)
  })

  it('is refused another user’s prefix: list, read, write and delete', async () => {
    const victim = `${bob.identityId}/secret.txt`
    const bobFile = join(work, 'bob.txt')
    writeFileSync(bobFile, 'bob only')
    ok(await aws(bob, 's3', 'cp', bobFile, `s3://${Bucket}/${victim}`))
    for (const attempt of [
      await aws(alice, 's3', 'ls', `s3://${Bucket}/${bob.identityId}/`),
      await aws(alice, 's3', 'cp', `s3://${Bucket}/${victim}`, '-'),
      await aws(alice, 's3', 'cp', bobFile, `s3://${Bucket}/${bob.identityId}/planted.txt`),
      await aws(alice, 's3api', 'delete-object', '--bucket', Bucket, '--key', victim),
    ]) {
      expect(attempt.code).not.toBe(0)
      expect(attempt.stderr).toMatch(/AccessDenied|Forbidden|403/)
    }
    const still = await aws(bob, 's3', 'cp', `s3://${Bucket}/${victim}`, '-')
    expect(still.stdout).toBe('bob only')
  })

  it('reads and writes DynamoDB items in the user’s own partition, and is refused another’s', async () => {
    const item = (id: string) => JSON.stringify({ identityId: { S: id }, key: { S: 'cli:setting' }, value: { S: 'dark' } })
    const key = (id: string) => JSON.stringify({ identityId: { S: id }, key: { S: 'cli:setting' } })
    ok(await aws(alice, 'dynamodb', 'put-item', '--table-name', cloud.config.table, '--item', item(alice.identityId)))
    const got = await aws(alice, 'dynamodb', 'get-item', '--table-name', cloud.config.table, '--key', key(alice.identityId))
    ok(got)
    expect(JSON.parse(got.stdout).Item.value).toEqual({ S: 'dark' })
    const query = await aws(
      alice,
      'dynamodb',
      'query',
      '--table-name',
      cloud.config.table,
      '--key-condition-expression',
      'identityId = :id',
      '--expression-attribute-values',
      JSON.stringify({ ':id': { S: alice.identityId } }),
    )
    ok(query)
    expect(JSON.parse(query.stdout).Count).toBe(1)
    for (const denied of [
      await aws(alice, 'dynamodb', 'get-item', '--table-name', cloud.config.table, '--key', key(bob.identityId)),
      await aws(alice, 'dynamodb', 'put-item', '--table-name', cloud.config.table, '--item', item(bob.identityId)),
      await aws(alice, 'dynamodb', 'scan', '--table-name', cloud.config.table),
    ]) {
      expect(denied.code).not.toBe(0)
      expect(denied.stderr).toContain('AccessDeniedException')
    }
  })
})

describe('rclone (Debian) with a user’s temporary credentials', () => {
  it('uploads 20 MB in parts, copies it server-side and checks both', async () => {
    const big = randomBytes(20 * 1024 * 1024)
    const file = join(work, 'rclone-big.bin')
    writeFileSync(file, big)
    const remote = `ws:${Bucket}/${alice.identityId}/rclone`
    ok(await rclone(alice, 'copyto', file, `${remote}/big.bin`))
    ok(await rclone(alice, 'copyto', `${remote}/big.bin`, `${remote}/big-copy.bin`))
    const out = join(work, 'rclone-big-back.bin')
    ok(await rclone(alice, 'copyto', `${remote}/big-copy.bin`, out))
    expect(sha256(readFileSync(out))).toBe(sha256(big))
  })

  it('syncs nested folders up and down, folders that hold only folders included', async () => {
    const src = join(work, 'rclone-tree')
    const files = makeTree(src)
    const remote = `ws:${Bucket}/${alice.identityId}/rclone-tree`
    ok(await rclone(alice, 'sync', src, remote))
    const listed = await rclone(alice, 'lsf', '-R', '--files-only', remote)
    ok(listed)
    expect(listed.stdout.trim().split('\n').sort()).toEqual(Object.keys(files).sort())
    const back = join(work, 'rclone-tree-back')
    ok(await rclone(alice, 'sync', remote, back))
    expect(readTree(back)).toEqual(files)
    // A second sync finds nothing to do: sizes and checksums agree.
    ok(await rclone(alice, 'check', src, remote))
  })

  it('is refused another user’s prefix', async () => {
    const theirs = `ws:${Bucket}/${bob.identityId}`
    const listing = await rclone(alice, 'lsf', theirs)
    expect(listing.code).not.toBe(0)
    expect(listing.stderr).toMatch(/AccessDenied|403/)
    const file = join(work, 'planted.txt')
    writeFileSync(file, 'planted')
    const write = await rclone(alice, 'copyto', file, `${theirs}/planted.txt`)
    expect(write.code).not.toBe(0)
    expect(write.stderr).toMatch(/AccessDenied|403/)
  })
})
