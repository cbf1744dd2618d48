/**
 * The local stand-in for e-mail: every confirmation or reset code the user pool sends is kept
 * here, printed to the terminal, and readable over HTTP (`GET /_whimsy/mailbox`).
 */
import type { MailMessage } from './emulators/emulators.js'

export interface Mail extends MailMessage {
  id: number
  sentAt: string
}

const KEEP = 200

export class Mailbox {
  private readonly messages: Mail[] = []
  private nextId = 1
  private readonly waiters = new Set<() => void>()

  constructor(private readonly print: (line: string) => void = () => {}) {}

  deliver(message: MailMessage): Mail {
    const mail = { ...message, id: this.nextId++, sentAt: new Date().toISOString() }
    this.messages.push(mail)
    if (this.messages.length > KEEP) this.messages.shift()
    this.print(`✉  code ${message.code ?? '(none)'} for ${message.username} <${message.destination}>`)
    for (const wake of this.waiters) wake()
    return mail
  }

  /** Newest last. `username` or `destination` (e-mail) narrows the list. */
  list(filter: { username?: string; destination?: string } = {}): Mail[] {
    return this.messages.filter((m) => (!filter.username || m.username === filter.username) && (!filter.destination || m.destination === filter.destination))
  }

  /**
   * Makes every code sent to `username` so far count as expired, so apps (and tests) can see
   * how they handle `ExpiredCodeException` without waiting a day. Returns how many were aged.
   */
  expire(username: string): number {
    const mails = this.list({ username })
    for (const m of mails) m.sentAt = new Date(0).toISOString()
    return mails.length
  }

  /** The newest mail for a user, waiting for it to arrive if none is there yet. */
  async latest(username: string, timeoutMs = 5000): Promise<Mail> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.list({ username }).at(-1)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`No mail for ${username} within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(wake, left)
        this.waiters.add(wake)
      })
    }
  }
}
