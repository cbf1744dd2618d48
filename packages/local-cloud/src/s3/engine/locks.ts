/**
 * One holder at a time per name. Conditional writes hold a key's lock only around
 * "read the current version, check the condition, commit", never while a body streams in,
 * so a slow upload never blocks other writers of the same key.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    const tail = previous.then(() => mine)
    this.tails.set(name, tail)
    await previous
    try {
      return await work()
    } finally {
      release()
      if (this.tails.get(name) === tail) this.tails.delete(name)
    }
  }
}
