/**
 * SDK overhead, files: what `whimsy.fs` costs over the raw S3 client. The same writes, reads
 * and listings against the same local cloud endpoint, with the same user's credentials, once
 * through the SDK and once with `@aws-sdk/client-s3` directly, alternating call by call
 * (key-value data: `kv-vs-raw.ts`). A row provider of `npm run bench`;
 * `tsx packages/sdk/bench/fs-vs-raw.ts [--quick]` runs it alone.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { sharedCloud, signedInAs } from '../../../bench/cloud.js'
import { type BenchOptions, type BenchRow, interleavedRow, rowList } from '../../../bench/rows.js'
import { runIfMain } from '../../../bench/standalone.js'

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  // 100 rounds: in the two earlier full runs on the loaded machine the 500-round ratios agreed
  // within 0.01 (1.04 and 1.03 for writes, 1.00 and 1.00 for reads); medians settle long before.
  const SMALL = options.quick ? 30 : 100
  // A folder of the shared cloud's (`seededFolders`), seeded in bulk once for the whole run.
  const LIST_FILES = options.quick ? 1000 : 10_000
  const LIST_ROUNDS = 3
  const bench = await sharedCloud(options.quick)
  try {
    const { whimsy, identityId, s3, ddb } = await signedInAs(bench.info, bench.user.username)
    const { bucket: Bucket } = bench.info.config
    const body = 'x'.repeat(1024)
    const out = rowList(options)
    options.log(`  ${SMALL} writes and reads of 1 KiB`)
    out.push(
      await interleavedRow(
        'write 1 KiB: whimsy.fs.write vs PutObject',
        SMALL,
        (i) => whimsy.fs.write(`/bench/sdk/${i % 50}.txt`, body),
        (i) => s3.send(new PutObjectCommand({ Bucket, Key: `${identityId}/bench/raw/${i % 50}.txt`, Body: body, ContentType: 'text/plain; charset=utf-8' })),
      ),
    )
    out.push(
      await interleavedRow(
        'read 1 KiB: whimsy.fs.readText vs GetObject',
        SMALL,
        (i) => whimsy.fs.readText(`/bench/sdk/${i % 50}.txt`),
        async (i) => (await s3.send(new GetObjectCommand({ Bucket, Key: `${identityId}/bench/raw/${i % 50}.txt` }))).Body?.transformToString(),
      ),
    )

    options.log(`  listing ${LIST_FILES} files ${LIST_ROUNDS} times each`)
    const listRow = await interleavedRow(
      `list a ${LIST_FILES.toLocaleString('en-US')}-file folder: whimsy.fs.list vs ListObjectsV2 pages`,
      LIST_ROUNDS,
      async () => {
        let n = 0
        for await (const _ of whimsy.fs.list(`/f${LIST_FILES}`)) n++
        if (n !== LIST_FILES) throw new Error(`whimsy.fs.list listed ${n} of ${LIST_FILES}`)
      },
      async () => {
        let n = 0
        let token: string | undefined
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${identityId}/f${LIST_FILES}/`, Delimiter: '/', ContinuationToken: token }))
          n += page.Contents?.length ?? 0
          token = page.IsTruncated ? page.NextContinuationToken : undefined
        } while (token)
        if (n !== LIST_FILES) throw new Error(`ListObjectsV2 listed ${n} of ${LIST_FILES}`)
      },
      1,
    )
    out.push(listRow)

    s3.destroy()
    ddb.destroy()
    return out
  } finally {
    await bench.stop()
  }
}

await runIfMain(import.meta.url, 'SDK overhead: files', rows)
