import { feature } from '../../http/routes.js'
import { accountRoutes } from '../accounts/accounts.routes.js'
import { accountSchemas } from '../accounts/accounts.schemas.js'
import { meRoutes } from '../accounts/me.routes.js'
import { authRoutes } from './auth.routes.js'
import { authSchemas } from './auth.schemas.js'

/**
 * Accounts and logging in. One feature for both: sessions and /v1/me answer with an Account, so its schemas
 * come first, while the login routes come before the account admin routes in the API (and its document).
 */
export const authFeature = feature('auth', [...accountSchemas, ...authSchemas], async (app, deps) => {
  await app.register(authRoutes, deps)
  await app.register(meRoutes, deps)
  await app.register(accountRoutes, deps)
})
