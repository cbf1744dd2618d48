/**
 * S3's part-size limits, in a module of their own: argument checks that run before any code is
 * loaded (the lazily loaded `fs`, see lazy-noun.ts) need them without the upload code.
 */

/** S3's smallest part (except the last) is 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024

/** Why a stream upload refuses `pause()`: said by the task and by the facade's stand-in for it. */
export const STREAM_CANNOT_PAUSE = 'a stream upload cannot pause (a stream cannot be read twice); cancel it instead.'
