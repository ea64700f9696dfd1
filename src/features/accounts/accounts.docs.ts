import type { FeatureDocs } from '../../http/openapi-docs.js'

export const accountDocs: FeatureDocs = {
  routes: {
    'POST /v1/accounts': { operationId: 'createAccount', auth: ['session'], errors: ['forbidden', 'email_taken'], ok: 'The created account.' },
    'GET /v1/accounts': { operationId: 'listAccounts', auth: ['session'], errors: ['forbidden'], ok: 'A page of accounts.' },
  },
  schemas: {
    Account: 'An account of an admin, organizer or exhibitor (never its password).',
    AccountCreate: 'A new account; without a password its owner logs in by emailed link.',
    AccountList: 'A page of accounts.',
  },
}
