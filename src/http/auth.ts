import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AccountRole } from '../db/schema.js'
import { TOKEN_PATTERN, type TokenPrefix } from './token-format.js'
import { Problem } from './problem.js'

export interface AccountPrincipal {
  kind: 'account'
  sessionId: string
  account: { id: string; email: string; name: string; role: AccountRole }
}
/** The holder of a registration's manage token (vmr_): may read, change, cancel, export and erase that one registration. */
export interface RegistrationPrincipal {
  kind: 'registration'
  registrationId: string
  eventId: string
}
/** A door scanner device (vmd_): may check in and look up attendees of its one event. */
export interface ScannerPrincipal {
  kind: 'scanner'
  scannerId: string
  eventId: string
  gate: string | null
  /** bound to a room of the program: scans that room's sessions only, not the event's door */
  roomId: string | null
}
export type Principal = AccountPrincipal | RegistrationPrincipal | ScannerPrincipal

export type Authenticator = (token: string) => Promise<Principal | null>

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
  interface FastifyInstance {
    /** Each feature that issues a kind of token registers how to resolve it. */
    authenticators: Map<TokenPrefix, Authenticator>
  }
}

/**
 * Resolves `Authorization: Bearer …` once per request. A token that is present but malformed, unknown,
 * expired or revoked is refused with 401 even on public routes: a client holding a dead token should learn it.
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorate('authenticators', new Map<TokenPrefix, Authenticator>())
  app.decorateRequest('principal', null)
  // A callback hook: a request without a token (most public ones) passes without a promise made and awaited.
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.authorization
    if (header === undefined) return done()
    const match = /^Bearer (\S+)$/i.exec(header)
    const token = match?.[1]
    if (!token || !TOKEN_PATTERN.test(token)) return done(Problem.unauthenticated('The bearer token is malformed.'))
    const authenticate = app.authenticators.get(token.slice(0, 4) as TokenPrefix)
    if (!authenticate) return done(Problem.unauthenticated('The token is unknown, expired or revoked.'))
    authenticate(token).then((principal) => {
      if (!principal) return done(Problem.unauthenticated('The token is unknown, expired or revoked.'))
      request.principal = principal
      done()
    }, done)
  })
})

export function requireAccount(request: FastifyRequest): AccountPrincipal['account'] {
  if (!request.principal) throw Problem.unauthenticated()
  // Authenticated, but as a visitor or a door scanner: a valid credential that this route does not take.
  if (request.principal.kind !== 'account') throw Problem.forbidden('This route needs an account session.')
  return request.principal.account
}

export function requireRole(request: FastifyRequest, ...roles: AccountRole[]): AccountPrincipal['account'] {
  const account = requireAccount(request)
  if (!roles.includes(account.role)) throw Problem.forbidden()
  return account
}
