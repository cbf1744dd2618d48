import { createServer } from 'node:net'

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly purpose: string,
  ) {
    super(
      `Port ${port} (${purpose}) is already in use on 127.0.0.1. Stop whatever is using it ` +
        `(\`lsof -i :${port}\` shows it; another \`npm start\` perhaps), or choose other ports with ` +
        '`npm start -- --port <first-port>`.',
    )
    this.name = 'PortInUseError'
  }
}
