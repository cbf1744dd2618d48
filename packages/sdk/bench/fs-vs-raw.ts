/**
 * `npm run bench`: what `whimsy.fs` costs over the raw AWS SDK. The same writes, reads and
 * listings against the same local cloud endpoint, with the same user's credentials, made
 * once through the SDK and once with `@aws-sdk/client-s3` directly, in one run. Prints
 * medians and the ratio SDK / raw.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { startLocalCloud } from '@whimsy/local-cloud'
import { createWhimsy, memoryStorage } from '../src/index.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300)
const LIST_FILES = 1000

/**
 * Medians of two calls measured in alternation (a, b, a, b…), so drift on a busy machine
 * (other processes, GC, the emulator's caches) falls on both sides alike.
 */
async function medians(rounds: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < Math.min(20, rounds); i++) {
    await a(i)
    await b(i)
  } // warm up connections and JIT
  const times: [number[], number[]] = [[], []]
  for (let i = 0; i < rounds; i++) {
    for (const [side, fn] of [a, b].entries()) {
      const t = performance.now()
      await fn(i)
      times[side as 0 | 1].push(performance.now() - t)
    }
  }
  const mid = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number
  return [mid(times[0]), mid(times[1])]
}

const dataDir = mkdtempSync(join(tmpdir(), 'whimsy-bench-'))
const cloud = await startLocalCloud({ dataDir })
try {
  const whimsy = createWhimsy(cloud.config, { storage: memoryStorage() })
  const username = 'bench-fs'
  const password = 'correct-horse-42'
  await whimsy.auth.signUp({ username, email: 'bench@example.com', password })
  await whimsy.auth.confirmSignUp({ username, code: (await cloud.mailbox.latest(username)).code ?? '' })
  const { identityId } = await whimsy.auth.signIn({ username, password })
  const Bucket = cloud.config.bucket
  // The raw client gets the same credentials, fetched once: the SDK's own cache makes its
  // lookups free too, so the comparison is of the code paths, not of credential fetches.
  const raw = new S3Client({
    region: cloud.config.region,
    endpoint: cloud.config.endpoints?.s3,
    forcePathStyle: true,
    credentials: await whimsy.auth.credentials(),
    requestChecksumCalculation: 'WHEN_REQUIRED',
  })
  const body = 'x'.repeat(1024)

  const rows: [string, number, number][] = []
  rows.push([
    'write 1 KiB',
    ...(await medians(
      ROUNDS,
      (i) => whimsy.fs.write(`/bench/sdk/${i % 50}.txt`, body),
      (i) => raw.send(new PutObjectCommand({ Bucket, Key: `${identityId}/bench/raw/${i % 50}.txt`, Body: body, ContentType: 'text/plain; charset=utf-8' })),
    )),
  ])
  rows.push([
    'read 1 KiB',
    ...(await medians(
      ROUNDS,
      (i) => whimsy.fs.readText(`/bench/sdk/${i % 50}.txt`),
      async (i) => (await raw.send(new GetObjectCommand({ Bucket, Key: `${identityId}/bench/raw/${i % 50}.txt` }))).Body?.transformToString(),
    )),
  ])

  for (let i = 0; i < LIST_FILES; i += 50)
    await Promise.all(Array.from({ length: 50 }, (_, j) => raw.send(new PutObjectCommand({ Bucket, Key: `${identityId}/listing/f${i + j}.txt`, Body: 'x' }))))
  const listRounds = Math.max(10, Math.floor(ROUNDS / 10))
  rows.push([
    `list ${LIST_FILES} files`,
    ...(await medians(
      listRounds,
      async () => {
        let n = 0
        for await (const _ of whimsy.fs.list('/listing')) n++
        if (n !== LIST_FILES) throw new Error(`listed ${n}`)
      },
      async () => {
        let n = 0
        let token: string | undefined
        do {
          const page = await raw.send(new ListObjectsV2Command({ Bucket, Prefix: `${identityId}/listing/`, Delimiter: '/', ContinuationToken: token }))
          n += page.Contents?.length ?? 0
          token = page.IsTruncated ? page.NextContinuationToken : undefined
        } while (token)
        if (n !== LIST_FILES) throw new Error(`listed ${n}`)
      },
    )),
  ])

  console.log(
    `\nwhimsy.fs vs raw @aws-sdk/client-s3, same endpoint and credentials (medians of ${ROUNDS} calls each, SDK and raw alternating; listings ${listRounds})\n`,
  )
  console.log('| call | whimsy.fs ms | raw client ms | ratio |')
  console.log('|---|---:|---:|---:|')
  for (const [name, sdk, direct] of rows) console.log(`| ${name} | ${sdk.toFixed(2)} | ${direct.toFixed(2)} | ${(sdk / direct).toFixed(2)}× |`)
} finally {
  await cloud.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
