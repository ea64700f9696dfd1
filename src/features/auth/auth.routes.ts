import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireAccount } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { findAccountById, toAccount } from '../accounts/accounts.service.js'
import { LoginRequest, MeResponse, SessionResponse } from './auth.schemas.js'
import { login, resolveSession, revokeSession } from './sessions.service.js'

/**
 * Per-IP and per-email limits on login: the first slows a guesser on one address, the second
 * a guesser spreading over many addresses against one account. Off when RATE_LIMIT=off.
 */
function loginLimits(app: FastifyInstance, enabled: boolean) {
  if (!enabled) return {}
  // The plugin runs one limiter per request, so the per-email one is checked by hand after the body is parsed.
  const perEmail = app.createRateLimit({
    max: 10,
    timeWindow: '15 minutes',
    keyGenerator: (request) => `login:${(request.body as { email: string }).email.toLowerCase()}`,
  })
  return {
    onRequest: app.rateLimit({ max: 20, timeWindow: '1 minute' }),
    preHandler: async (request: FastifyRequest) => {
      const limit = await perEmail(request)
      if (!limit.isAllowed && limit.isExceeded) {
        throw new Problem(429, 'rate_limited', 'Too many login attempts for this email; retry later.', undefined, {
          'retry-after': String(limit.ttlInSeconds),
        })
      }
    },
  }
}

export const authRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.authenticators.set('vms_', (token) => resolveSession(db, token))

  app.post(
    '/v1/auth/login',
    {
      ...loginLimits(app, config.rateLimit),
      schema: {
        tags: ['auth'],
        summary: 'Log in with email and password',
        body: ref(LoginRequest),
        response: { 200: ref(SessionResponse), ...problemResponses },
      },
    },
    async (request) => {
      const { token, account } = await login(db, request.body.email, request.body.password)
      return { token, account: toAccount(account) }
    },
  )

  app.post(
    '/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke the session token used for this request',
        security: [{ bearer: [] }],
        response: { 204: { type: 'null', description: 'logged out' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      requireAccount(request)
      if (request.principal?.kind === 'account') await revokeSession(db, request.principal.sessionId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The logged-in account and its associations',
        security: [{ bearer: [] }],
        response: { 200: ref(MeResponse), ...problemResponses },
      },
    },
    async (request) => {
      const { id } = requireAccount(request)
      const account = await findAccountById(db, id)
      if (!account) throw Problem.unauthenticated()
      // Association membership arrives with the associations feature; until then nobody is a member of one.
      return { account: toAccount(account), associations: [] }
    },
  )
}
