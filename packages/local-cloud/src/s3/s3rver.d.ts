/**
 * s3rver 3.7.1 ships no types. It stays only as a devDependency: the benchmark measures the
 * engine beside it, and the migration test writes an old-style data folder with it.
 */
declare module 's3rver' {
  interface S3rverOptions {
    address?: string
    port?: number
    directory: string
    silent?: boolean
    vhostBuckets?: boolean
    configureBuckets?: { name: string }[]
  }
  export default class S3rver {
    constructor(options: S3rverOptions)
    run(): Promise<{ address: string; port: number }>
    close(): Promise<void>
  }
}
