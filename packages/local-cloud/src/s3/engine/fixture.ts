/** A fresh engine on a temp dir for the engine's unit tests, with a clock the test moves. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { expect } from 'vitest'
import { createS3Engine } from './engine.js'
import { type ObjectHeaders, type PutObjectInput, type S3Engine, type S3EngineOptions, S3Error } from './types.js'

export interface TestEngine {
  engine: S3Engine
  dir: string
  clock: { now: Date; advanceDays(days: number): void }
  reopen(): Promise<S3Engine>
  dispose(): Promise<void>
}

export async function openTestEngine(options: Partial<S3EngineOptions> = {}): Promise<TestEngine> {
  const dir = await mkdtemp(join(tmpdir(), 's3-engine-'))
  const clock = {
    now: new Date('2026-01-01T00:00:00Z'),
    advanceDays(days: number) {
      clock.now = new Date(clock.now.getTime() + days * 86_400_000)
    },
  }
  const open = () => createS3Engine({ dir, region: 'us-east-1', now: () => clock.now, ...options })
  const fixture: TestEngine = {
    engine: await open(),
    dir,
    clock,
    async reopen() {
      await fixture.engine.close()
      fixture.engine = await open()
      return fixture.engine
    },
    async dispose() {
      await fixture.engine.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return fixture
}

export const noHeaders = (): ObjectHeaders => ({ metadata: {} })

export function put(engine: S3Engine, bucket: string, key: string, body: string | Buffer, extra: Partial<PutObjectInput> = {}) {
  return engine.putObject({ bucket, key, body: Readable.from([Buffer.from(body)]), headers: noHeaders(), integrity: {}, ...extra })
}

export async function readAll(stream: Readable | undefined): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream ?? []) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function getText(engine: S3Engine, bucket: string, key: string, versionId?: string): Promise<string> {
  const result = await engine.getObject({ bucket, key, ...(versionId !== undefined ? { versionId } : {}) })
  return (await readAll(result.body)).toString('utf8')
}

/** The S3Error a call fails with (the test fails if it succeeds or throws anything else). */
export async function s3Error(promise: Promise<unknown>): Promise<S3Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(S3Error)
  return error as S3Error
}
