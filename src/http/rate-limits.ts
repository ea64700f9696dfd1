import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Problem } from './problem.js'

interface IpAndEmailLimits {
  /** names the per-email counter and the 429's detail: "login attempts", "login links" */
  what: string
  perIp: { max: number; timeWindow: string }
  perEmail: { max: number; timeWindow: string }
}

/**
 * Per-IP and per-email limits on a route whose body holds an `email`. On login the first slows a guesser on
 * one address, the second a guesser spreading over many addresses against one account; on magic links they
 * keep anyone from flooding a person's inbox. Both count unknown emails like known ones, so a 429 tells nothing
 * about who has an account. Off when RATE_LIMIT=off.
 */
export function ipAndEmailLimits(app: FastifyInstance, enabled: boolean, { what, perIp, perEmail }: IpAndEmailLimits) {
  if (!enabled) return {}
  // The plugin runs one limiter per request, so the per-email one is checked by hand after the body is parsed.
  const limitPerEmail = app.createRateLimit({
    ...perEmail,
    // The store is shared by every limiter of the app: the prefix keeps login and link counts apart.
    keyGenerator: (request) => `${what}:${(request.body as { email: string }).email.trim().toLowerCase()}`,
  })
  return {
    onRequest: app.rateLimit(perIp),
    preHandler: async (request: FastifyRequest) => {
      const limit = await limitPerEmail(request)
      if (!limit.isAllowed && limit.isExceeded) {
        throw new Problem(429, 'rate_limited', `Too many ${what} for this email; retry later.`, undefined, {
          'retry-after': String(limit.ttlInSeconds),
        })
      }
    },
  }
}

/**
 * The per-IP limit of a write that a visitor makes with the manage token from their email. Callers with an
 * account session (organizers cancelling or erasing on someone's behalf) are not counted: the limit is
 * against anonymous load, and staff work through sessions that can be revoked. Off when RATE_LIMIT=off.
 */
export function visitorWriteLimit(app: FastifyInstance, enabled: boolean, limit: { max: number; timeWindow: string }) {
  if (!enabled) return {}
  return { onRequest: app.rateLimit({ ...limit, allowList: (request) => request.principal?.kind === 'account' }) }
}
