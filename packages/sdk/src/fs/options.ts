/**
 * What each `whimsy.fs` verb accepts as options, as rules for `checkOptions` (`args.ts`):
 * checked before any request, so a wrong value is `InvalidInput` naming it instead of an
 * XML-parse or emulator message from the server.
 */
import { is, isPlainObject, type Rule } from '../args.js'
import type { CallOptions, FolderOptions, ListOptions, ReadOptions, RemoveOptions, TransferOptions, UploadOptions } from './types.js'
import { MIN_PART_SIZE } from './upload-limits.js'

type RulesOf<T> = { readonly [K in keyof T]-?: Rule }

/** A byte range: `{ start, end? }`, whole offsets from 0, `end` (inclusive) not before `start`. */
const isRange: Rule = (v) => {
  const r = v as { start?: unknown; end?: unknown }
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
  return isPlainObject(v) &&
    Object.keys(v).every((k) => k === 'start' || k === 'end') &&
    whole(r.start) &&
    (r.end === undefined || (whole(r.end) && (r.end as number) >= (r.start as number)))
    ? undefined
    : '{ start, end? } with whole byte offsets from 0 and end ≥ start (end is inclusive, like HTTP ranges)'
}

/** S3 user metadata: names to text values (each name and value is then checked by `checkMetadata`). */
const isMetadata: Rule = (v) =>
  isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : 'an object of names to text values, such as { author: "daniel" }'

/**
 * Sent as the Content-Type header: type/subtype and parameters in printable ASCII. Spaces only,
 * never `\s`: a CR or LF would end the header and start another (`x-amz-acl: public-read`).
 */
const isContentType: Rule = (v) =>
  typeof v === 'string' && v.length <= 255 && /^[\w.+-]+\/[\w.+-]+( *;[\x20-\x7e]*)?$/.test(v)
    ? undefined
    : 'a media type such as "text/plain; charset=utf-8" (printable ASCII on one line)'

const TRANSFER: RulesOf<FolderOptions> = { onProgress: is.function, signal: is.signal }

export const UPLOAD_OPTIONS: RulesOf<UploadOptions> = {
  ...TRANSFER,
  contentType: isContentType,
  metadata: isMetadata,
  ifMatch: is.headerText(1024),
  ifNoneMatch: is.oneOf('*'),
  // S3's limits: parts from 5 MiB to 5 GiB.
  partSize: is.wholeNumber(MIN_PART_SIZE, 5 * 1024 * 1024 * 1024, ' of bytes'),
  concurrency: is.wholeNumber(1, 16),
}
export const READ_OPTIONS: RulesOf<ReadOptions> = { ...TRANSFER, range: isRange }
export const STREAM_OPTIONS: RulesOf<Omit<ReadOptions, 'onProgress'>> = { range: isRange, signal: is.signal }
export const TRANSFER_OPTIONS: RulesOf<TransferOptions> = { ...TRANSFER, overwrite: is.boolean }
export const REMOVE_OPTIONS: RulesOf<RemoveOptions> = { ...TRANSFER, recursive: is.boolean, ifMatch: is.headerText(1024) }
// ListObjectsV2 returns at most 1,000 keys a request.
export const LIST_OPTIONS: RulesOf<ListOptions> = { recursive: is.boolean, pageSize: is.wholeNumber(1, 1000), signal: is.signal }
export const LIST_PAGE_OPTIONS: RulesOf<ListOptions & { cursor?: string }> = { ...LIST_OPTIONS, cursor: is.string }
/** Calls whose only option is `signal` (stat, exists, mkdir, usage). */
export const CALL_OPTIONS: RulesOf<CallOptions> = { signal: is.signal }
