/**
 * How the local cloud's own code reaches dynalite and cognito-local now that they refuse
 * strangers (issue 11, finding 10): every call carries `x-whimsy-upstream` with the secret of
 * this start, which the emulator processes check (see `emulators/emulator-process.cjs`).
 */
import { HttpRequest } from '@smithy/protocol-http'

export const UPSTREAM_HEADER = 'x-whimsy-upstream'

/** Per emulator: the headers each call must carry (none for an external DynamoDB). */
export interface EmulatorHeaders {
  dynamodb: Record<string, string>
  cognito: Record<string, string>
}

type Handler = (args: { request: unknown }) => Promise<unknown>

/** The build step of an AWS SDK v3 client's middleware stack, as far as this uses it. */
interface BuildStack {
  add(middleware: (next: Handler) => Handler, options: { step: 'build'; name: string }): void
}

/** Adds `headers` to every request an AWS SDK client sends; returns the client. */
export function withEmulatorHeaders<T extends { middlewareStack: object }>(client: T, headers: Record<string, string> | undefined): T {
  if (!headers || Object.keys(headers).length === 0) return client
  ;(client.middlewareStack as BuildStack).add(
    (next) => async (args) => {
      if (HttpRequest.isInstance(args.request)) Object.assign(args.request.headers, headers)
      return next(args)
    },
    { step: 'build', name: 'whimsyEmulatorHeaders' },
  )
  return client
}
