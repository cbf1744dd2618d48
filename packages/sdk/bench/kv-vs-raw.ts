/**
 * SDK overhead, key-value data: what `whimsy.kv` costs over the raw DynamoDB document client.
 * The same puts and gets against the same local cloud endpoint, with the same user's
 * credentials, alternating call by call. A row provider of `npm run bench`;
 * `tsx packages/sdk/bench/kv-vs-raw.ts [--quick]` runs it alone.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { sharedCloud, signedInUser } from '../../../bench/cloud.js'
import { type BenchOptions, type BenchRow, interleavedRow, rowList } from '../../../bench/rows.js'
import { runIfMain } from '../../../bench/standalone.js'

export async function rows(options: BenchOptions): Promise<BenchRow[]> {
  // 150 rounds: each is a put or get of ours and one of the raw client, alternating; the
  // ratios' medians settle well before (1,000 rounds gave 1.13 and 0.99 in the last full run).
  const KV = options.quick ? 50 : 150
  // The run's shared cloud: key-value calls do not touch the seeded folders.
  const bench = await sharedCloud(options.quick)
  try {
    const { whimsy, identityId, s3, ddb } = await signedInUser(bench.info, 'bench-kv')
    const { table: TableName } = bench.info.config
    const out = rowList(options)
    options.log(`  ${KV} key-value puts and gets`)
    const value = { title: 'x'.repeat(100), n: 1 }
    out.push(
      await interleavedRow(
        'kv put: whimsy.kv.set vs PutItem (DynamoDB document client)',
        KV,
        (i) => whimsy.kv.set(`bench-${i % 50}`, value),
        (i) => ddb.send(new PutCommand({ TableName, Item: { identityId, key: `raw/bench-${i % 50}`, value } })),
      ),
    )
    out.push(
      await interleavedRow(
        'kv get: whimsy.kv.get vs GetItem (consistent read)',
        KV,
        (i) => whimsy.kv.get(`bench-${i % 50}`),
        (i) => ddb.send(new GetCommand({ TableName, Key: { identityId, key: `raw/bench-${i % 50}` }, ConsistentRead: true })),
      ),
    )
    s3.destroy()
    ddb.destroy()
    return out
  } finally {
    await bench.stop()
  }
}

await runIfMain(import.meta.url, 'SDK overhead: key-value data', rows)
