import createClient, { type Client, type ClientOptions } from 'openapi-fetch'
import type { components, operations, paths } from './schema.js'

export type { components, operations, paths }

/** RFC 9457 problem details, as every error of the API is sent. */
export type Problem = components['schemas']['Problem']

type Responses<Op extends keyof operations> = operations[Op]['responses']

/**
 * The error an operation can answer: problem+json whose `code` is the union of exactly that operation's codes, so
 * a `switch (error.code)` can be checked for exhaustiveness. It is what openapi-fetch returns as `error`.
 */
export type ProblemOf<Op extends keyof operations> = {
  [S in keyof Responses<Op>]: S extends number
    ? `${S}` extends `4${string}` | `5${string}`
      ? Responses<Op>[S] extends { content: { 'application/problem+json': infer P } }
        ? P
        : never
      : never
    : never
}[keyof Responses<Op>]

export type VereinsmesseClient = Client<paths>

/**
 * A client for the API at `baseUrl`. `token` (a `vms_` session, a `vmd_` scanner or a `vmr_` manage token) is sent
 * as the bearer token of every request; make one client per token.
 */
export function createVereinsmesseClient(
  baseUrl: string,
  { token, ...options }: { token?: string } & Omit<ClientOptions, 'baseUrl'> = {},
): VereinsmesseClient {
  const client = createClient<paths>({ baseUrl, ...options })
  if (token) {
    client.use({
      onRequest: ({ request }) => {
        request.headers.set('authorization', `Bearer ${token}`)
      },
    })
  }
  return client
}
