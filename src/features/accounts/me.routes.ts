import type { FastifyRequest } from 'fastify'
import { requireAccount } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { perIpLimit } from '../../http/rate-limits.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { listSessions, revokeOwnSession, revokeSessionsOf } from '../auth/sessions.service.js'
import { changePassword, confirmErasure, requestErasure, updateOwnAccount } from './account-lifecycle.service.js'
import {
  Account,
  AccountPersonalData,
  ErasureConfirm,
  ErasureRequested,
  OwnAccountPatch,
  PasswordChange,
  SessionIdParams,
  SessionList,
} from './accounts.schemas.js'
import { accountPersonalData } from './personal-data.service.js'

/** The account of this request and the session it came with. */
function session(request: FastifyRequest): { accountId: string; sessionId: string } {
  const account = requireAccount(request)
  if (request.principal?.kind !== 'account') throw Problem.unauthenticated()
  return { accountId: account.id, sessionId: request.principal.sessionId }
}

const NO_CONTENT = { type: 'null', description: 'done' } as const

/** The logged-in person's own account: profile, password, sessions, personal data and erasure. */
export const meRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.patch(
    '/v1/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your own name or the language of your emails',
        security: [{ bearer: [] }],
        body: ref(OwnAccountPatch),
        response: { 200: ref(Account), ...problemResponses },
      },
    },
    async (request) => updateOwnAccount(db, session(request).accountId, request.body),
  )

  app.post(
    '/v1/me/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set a new password: with the current one, or from a session started by an emailed link; other sessions end',
        security: [{ bearer: [] }],
        body: ref(PasswordChange),
        response: { 204: NO_CONTENT, ...problemResponses },
      },
    },
    async (request, reply) => {
      await changePassword(db, session(request), request.body)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me/sessions',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your live sessions, newest first',
        security: [{ bearer: [] }],
        response: { 200: ref(SessionList), ...problemResponses },
      },
    },
    async (request) => {
      const { accountId, sessionId } = session(request)
      return listSessions(db, accountId, sessionId)
    },
  )

  app.delete(
    '/v1/me/sessions/:loginId',
    {
      schema: {
        tags: ['auth'],
        summary: 'End one of your sessions (another device, or this one)',
        security: [{ bearer: [] }],
        params: SessionIdParams,
        response: { 204: NO_CONTENT, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { accountId } = session(request)
      if (!(await revokeOwnSession(db, accountId, request.params.loginId))) throw Problem.notFound('session')
      return reply.code(204).send(null)
    },
  )

  app.delete(
    '/v1/me/sessions',
    {
      schema: {
        tags: ['auth'],
        summary: 'End every session of yours except the one of this request',
        security: [{ bearer: [] }],
        response: { 204: NO_CONTENT, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { accountId, sessionId } = session(request)
      await revokeSessionsOf(db, accountId, sessionId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me/personal-data',
    {
      schema: {
        tags: ['auth'],
        summary: 'Everything stored about you: account, sessions, associations with their bookings and passes, emails',
        security: [{ bearer: [] }],
        response: { 200: ref(AccountPersonalData), ...problemResponses },
      },
    },
    async (request) => accountPersonalData(db, session(request).accountId),
  )

  app.post(
    '/v1/me/erase',
    {
      ...perIpLimit(app, config.rateLimit, { max: 5, timeWindow: '1 hour' }),
      schema: {
        tags: ['auth'],
        summary: 'Ask to erase your account: a confirmation link valid for a day goes to your address',
        security: [{ bearer: [] }],
        response: { 202: ref(ErasureRequested), ...problemResponses },
      },
    },
    async (request, reply) => {
      await requestErasure(db, config, session(request).accountId)
      return reply.code(202).send({})
    },
  )

  app.post(
    '/v1/me/erase/confirm',
    {
      ...perIpLimit(app, config.rateLimit, { max: 30, timeWindow: '1 minute' }),
      schema: {
        tags: ['auth'],
        summary: 'Confirm an erasure with the token from its emailed link: the account is erased (the token is the credential)',
        body: ref(ErasureConfirm),
        response: { 200: ref(Account), ...problemResponses },
      },
    },
    async (request) => confirmErasure(db, request.body.token),
  )
}
