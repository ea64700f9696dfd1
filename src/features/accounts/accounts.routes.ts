import { requireRole } from '../../http/auth.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { eraseAccount, setActive, updateAccount } from './account-lifecycle.service.js'
import { Account, AccountCreate, AccountIdParams, AccountList, AccountListQuery, AccountPatch } from './accounts.schemas.js'
import { createAccount, listAccounts, toAccount } from './accounts.service.js'

export const accountRoutes: FeatureRoutes = async (app, { db }) => {
  app.post(
    '/v1/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an account (admin)',
        security: [{ bearer: [] }],
        body: ref(AccountCreate),
        response: { 201: ref(Account), ...problemResponses },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin')
      const row = await createAccount(db, request.body)
      return reply.code(201).send(toAccount(row))
    },
  )

  app.get(
    '/v1/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'List accounts (admin), e.g. to find organizers to assign',
        security: [{ bearer: [] }],
        querystring: AccountListQuery,
        response: { 200: ref(AccountList), ...problemResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return listAccounts(db, request.query)
    },
  )

  app.patch(
    '/v1/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: "Change an account's name, language or role (admin); the last active admin keeps the role",
        security: [{ bearer: [] }],
        params: AccountIdParams,
        body: ref(AccountPatch),
        response: { 200: ref(Account), ...problemResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return updateAccount(db, request.params.id, request.body)
    },
  )

  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post(
      `/v1/accounts/:id/${action}`,
      {
        schema: {
          tags: ['accounts'],
          summary:
            action === 'deactivate'
              ? 'Deactivate an account (admin): its tokens stop working at once and it cannot log in; never the last active admin'
              : 'Reactivate a deactivated account (admin): it can log in again (old sessions stay revoked)',
          security: [{ bearer: [] }],
          params: AccountIdParams,
          response: { 200: ref(Account), ...problemResponses },
        },
      },
      async (request) => {
        requireRole(request, 'admin')
        return setActive(db, request.params.id, action === 'reactivate')
      },
    )
  }

  app.post(
    '/v1/accounts/:id/erase',
    {
      schema: {
        tags: ['accounts'],
        summary: "Erase an account's personal data (admin): placeholders for email and name, memberships and sessions gone",
        security: [{ bearer: [] }],
        params: AccountIdParams,
        response: { 200: ref(Account), ...problemResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return eraseAccount(db, request.params.id)
    },
  )
}
