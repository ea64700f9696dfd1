import type { FeatureDocs } from '../../http/openapi-docs.js'

export const authDocs: FeatureDocs = {
  routes: {
    'POST /v1/auth/login': { operationId: 'loginWithPassword', auth: ['public'], rateLimited: true, ok: 'A new session token and its account.' },
    'POST /v1/auth/magic-link': {
      operationId: 'requestMagicLink',
      auth: ['public'],
      rateLimited: true,
      ok: 'Accepted: if the email has an account, a login link is on its way.',
    },
    'POST /v1/auth/magic-link/verify': {
      operationId: 'verifyMagicLink',
      auth: ['public'],
      rateLimited: true,
      ok: 'A new session token and its account.',
    },
    'POST /v1/auth/logout': { operationId: 'logout', auth: ['session'], errors: ['forbidden'], ok: 'Logged out: the token is revoked.' },
    'GET /v1/me': { operationId: 'getMe', auth: ['session'], errors: ['forbidden'], ok: 'The logged-in account and its associations.' },
  },
  schemas: {
    LoginRequest: 'An email and password to log in with.',
    SessionResponse: 'A session token (`vms_…`) and the account it belongs to.',
    MeResponse: 'The logged-in account and the associations it is a member of.',
    MagicLinkRequest: 'The email to send a login link to.',
    MagicLinkVerify: 'The token from a login link.',
  },
}
