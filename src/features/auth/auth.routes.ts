import { requireAccount } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { ipAndEmailLimits, perIpLimit } from '../../http/rate-limits.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { findAccountById, toAccount } from '../accounts/accounts.service.js'
import { associationsOf } from '../associations/associations.service.js'
import { LoginRequest, MagicLinkAccepted, MagicLinkRequest, MagicLinkVerify, MeResponse, SessionResponse } from './auth.schemas.js'
import { MAGIC_LINK_MINUTES, requestMagicLink, verifyMagicLink } from './magic-link.service.js'
import { login, resolveSession, revokeSession } from './sessions.service.js'

export const authRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.authenticators.set('vms_', (token) => resolveSession(db, token))

  app.post(
    '/v1/auth/login',
    {
      ...ipAndEmailLimits(app, config.rateLimit, {
        what: 'login attempts',
        perIp: { max: 20, timeWindow: '1 minute' },
        perEmail: { max: 10, timeWindow: '15 minutes' },
      }),
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
    '/v1/auth/magic-link',
    {
      // Five per email per link lifetime: at most about five live links per account, and no inbox flooding.
      ...ipAndEmailLimits(app, config.rateLimit, {
        what: 'login links',
        perIp: { max: 10, timeWindow: '1 minute' },
        perEmail: { max: 5, timeWindow: `${MAGIC_LINK_MINUTES} minutes` },
      }),
      schema: {
        tags: ['auth'],
        summary: 'Email a one-time login link; answers 202 whether or not the email has an account',
        body: ref(MagicLinkRequest),
        response: { 202: ref(MagicLinkAccepted), ...problemResponses },
      },
    },
    async (request, reply) => {
      await requestMagicLink(db, config, request.body.email)
      return reply.code(202).send({})
    },
  )

  app.post(
    '/v1/auth/magic-link/verify',
    {
      // A token has 256 random bits, so this limit is not against guessing but against load.
      ...perIpLimit(app, config.rateLimit, { max: 30, timeWindow: '1 minute' }),
      schema: {
        tags: ['auth'],
        summary: 'Exchange the token of a login link for a session, once',
        body: ref(MagicLinkVerify),
        response: { 200: ref(SessionResponse), ...problemResponses },
      },
    },
    async (request) => {
      const { token, account } = await verifyMagicLink(db, request.body.token)
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
      return { account: toAccount(account), associations: await associationsOf(db, id) }
    },
  )
}
