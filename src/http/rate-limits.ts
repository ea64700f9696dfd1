import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Problem } from './problem.js'

export interface PerIpLimit {
  max: number
  timeWindow: string
  /**
   * Callers with an account session are not counted: for writes a visitor makes with the manage token from their
   * email, the limit is against anonymous load, and staff work through sessions that can be revoked.
   */
  exceptAccounts?: boolean
}

/** The one way a route limits requests per client IP: spread into the route's options. Off when RATE_LIMIT=off. */
export function perIpLimit(app: FastifyInstance, enabled: boolean, { exceptAccounts, ...limit }: PerIpLimit) {
  if (!enabled) return {}
  return {
    onRequest: app.rateLimit(exceptAccounts ? { ...limit, allowList: (request) => request.principal?.kind === 'account' } : limit),
  }
}

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
    ...perIpLimit(app, enabled, perIp),
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

/** The per-IP limit of a write that a visitor makes with the manage token from their email (see exceptAccounts). */
export function visitorWriteLimit(app: FastifyInstance, enabled: boolean, limit: { max: number; timeWindow: string }) {
  return perIpLimit(app, enabled, { ...limit, exceptAccounts: true })
}
