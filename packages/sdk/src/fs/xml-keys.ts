/**
 * Keys in S3's XML: listings and DeleteObjects bodies are XML 1.0, which cannot carry every
 * key S3 stores (most control characters have no form in it at all, and a CR is read as a LF).
 * Pure: how to read keys from a listing, and which keys can go in a batch delete.
 */

/** S3's DeleteObjects takes at most 1,000 keys. */
export const DELETE_BATCH = 1000

/** Characters a key cannot have in an XML request body. */
const NOT_IN_XML = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/**
 * A key (or prefix) from a listing. Listings ask for `EncodingType=url`; an engine that
 * applied it says so in the response (AWS writes a space as `+` there, and a `+` as `%2B`).
 */
export function decodeListedKey(value: string, encodingType: string | undefined): string {
  return encodingType === 'url' ? decodeURIComponent(value.replace(/\+/g, ' ')) : value
}

/**
 * Keys grouped for deletion: up to 1,000 per DeleteObjects body, and `alone` (for a
 * DeleteObject, the key in the URL) those an XML body cannot carry faithfully. Besides what
 * XML 1.0 lacks, engines differ on the character references the AWS SDK writes for newlines,
 * U+0085 and U+2028 (locally "&#x0A;" was taken literally, and the key silently stayed).
 */
export function deletionBatches(keys: readonly string[]): { keys: string[]; alone: boolean }[] {
  const inBody = keys.filter((k) => !NOT_IN_XML.test(k))
  const batches: { keys: string[]; alone: boolean }[] = []
  for (let i = 0; i < inBody.length; i += DELETE_BATCH) batches.push({ keys: inBody.slice(i, i + DELETE_BATCH), alone: false })
  for (const key of keys) if (NOT_IN_XML.test(key)) batches.push({ keys: [key], alone: true })
  return batches
}
