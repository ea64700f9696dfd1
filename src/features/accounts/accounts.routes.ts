import { requireRole } from '../../http/auth.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { Account, AccountCreate, AccountList, AccountListQuery } from './accounts.schemas.js'
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
}
