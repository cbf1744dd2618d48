/**
 * What this device wrote, so changes can say `fromThisDevice`. All of a user's devices share
 * one identity, so the caller cannot tell them apart; the versions (and ETags) a device got
 * back from its own writes can. Read off the clients' answers (a middleware on the S3 client, a
 * listener on the small DynamoDB client), so the file and key-value code need not know.
 */
type Handler = (args: { input: unknown }) => Promise<{ output: unknown }>
interface Stack {
  add(middleware: (next: Handler, context: { commandName?: string }) => Handler, options: { step: 'initialize'; name: string }): void
}
type Attr = { S?: string; N?: string }
type Item = Record<string, Attr | undefined>

/** Remembered writes; older ones are forgotten past this many. */
const LIMIT = 10_000

/** File writes awaiting their log entry, for `fs.usage()`'s read-your-writes; older ones are given up on. */
const UNCONFIRMED_LIMIT = 2000

export class OwnWrites {
  private readonly marks = new Set<string>()
  /** This device's file writes whose change the log has not shown yet (marks as in `marks`). */
  private readonly unconfirmed = new Set<string>()

  /** Reads the answers of an AWS SDK client (today: the S3 client) through a middleware. */
  watch(client: { middlewareStack: object }): void {
    ;(client.middlewareStack as Stack).add(
      (next, context) => async (args) => {
        const result = await next(args)
        this.record(context.commandName ?? '', args.input as Record<string, unknown>, result.output as Record<string, unknown>)
        return result
      },
      { step: 'initialize', name: 'whimsyOwnWrites' },
    )
  }

  /** Whether this device wrote the file version / the item version a change names. */
  madeHere(change: { kind: 'file' | 'kv'; path?: string; key?: string; etag?: string; versionId?: string; version?: number }): boolean {
    if (change.kind === 'file') return change.versionId !== undefined ? this.marks.has(`v:${change.versionId}`) : this.marks.has(`e:${change.etag}`)
    return change.version !== undefined && this.marks.has(`k:${change.key}\u0000${change.version}`)
  }

  /** @internal Whether this device has file writes the log has not shown yet (`fs.usage()` waits for them). */
  get pendingFiles(): number {
    return this.unconfirmed.size
  }

  /** @internal A log entry was read: the file write it names is no longer awaited. */
  confirm(entry: { kind: 'file' | 'kv'; etag?: string; versionId?: string }): void {
    if (entry.kind !== 'file' || this.unconfirmed.size === 0) return
    if (entry.versionId !== undefined) this.unconfirmed.delete(`v:${entry.versionId}`)
    if (entry.etag !== undefined) this.unconfirmed.delete(`e:${entry.etag}`)
  }

  /** @internal Gives up waiting (the feed is slow or down): `fs.usage()` counts by listing instead. */
  forgetPendingFiles(): void {
    this.unconfirmed.clear()
  }

  private mark(value: string | undefined, prefix: string): void {
    if (value === undefined || value === '') return
    this.marks.add(prefix + value)
    if (this.marks.size > LIMIT) this.marks.delete(this.marks.values().next().value as string)
    if (prefix === 'k:') return
    this.unconfirmed.add(prefix + value)
    if (this.unconfirmed.size > UNCONFIRMED_LIMIT) this.unconfirmed.delete(this.unconfirmed.values().next().value as string)
  }

  /** Notes a write's answer (`PutObjectCommand`, `UpdateItemCommand`, …). Never throws: only a hint for `fromThisDevice`. */
  record(command: string, input: unknown, output: unknown): void {
    try {
      this.recordAnswer(command, (input ?? {}) as Record<string, unknown>, (output ?? {}) as Record<string, unknown>)
    } catch {
      // Only a hint for `fromThisDevice`: never fail the write over it.
    }
  }

  private recordAnswer(command: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
    switch (command) {
      case 'PutObjectCommand':
      case 'CompleteMultipartUploadCommand':
      case 'DeleteObjectCommand':
        this.mark(output.VersionId as string | undefined, 'v:')
        if (!output.VersionId) this.mark(output.ETag as string | undefined, 'e:')
        return
      case 'CopyObjectCommand':
        this.mark(output.VersionId as string | undefined, 'v:')
        return
      case 'DeleteObjectsCommand':
        for (const d of (output.Deleted ?? []) as { DeleteMarkerVersionId?: string; VersionId?: string }[])
          this.mark(d.DeleteMarkerVersionId ?? d.VersionId, 'v:')
        return
      case 'UpdateItemCommand':
      case 'PutItemCommand':
      case 'DeleteItemCommand': {
        const key = ((input.Key ?? input.Item) as Item | undefined)?.key?.S
        const version = (output.Attributes as Item | undefined)?.version?.N ?? (input.Item as Item | undefined)?.version?.N
        if (key !== undefined && version !== undefined) this.mark(`${key}\u0000${version}`, 'k:')
        return
      }
      case 'BatchWriteItemCommand':
        for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: Item } }[]>))
          for (const r of requests) {
            const item = r.PutRequest?.Item
            if (item?.key?.S !== undefined && item.version?.N !== undefined) this.mark(`${item.key.S}\u0000${item.version.N}`, 'k:')
          }
        return
    }
  }
}
