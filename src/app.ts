import Fastify, { LogController } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Database } from './db/client.js'
import type { AudienceSources } from './mail/reminders.js'
import { defaultAudiences } from './features/email/audiences.js'
import { authPlugin } from './http/auth.js'
import { frameworkErrorHandler, registerErrorHandling } from './http/error-handler.js'
import { healthRoutes } from './http/health.js'
import { registerBodyLimits } from './http/body-limits.js'
import { registerTextGuard } from './http/text-guard.js'
import { requestLogPlugin } from './http/request-log.js'
import { loggerOptions, requestId, type LogDestination } from './http/logging.js'
import { securityPlugin } from './http/security.js'
import { openapiPlugin } from './http/openapi.js'
import { Problem } from './http/problem.js'
import { sharedSchemas } from './http/schemas.js'
import { buildValidator } from './http/validation.js'
import { authFeature } from './features/auth/index.js'
import { eventsFeature } from './features/events/index.js'
import { emailFeature } from './features/email/index.js'
import { registrationsFeature } from './features/registrations/index.js'
import { ticketsFeature } from './features/tickets/index.js'
import { checkinFeature } from './features/checkin/index.js'
import { associationsFeature } from './features/associations/index.js'
import { standsFeature } from './features/stands/index.js'
import { doorAppRoutes } from './features/door-app/door-app.routes.js'

export interface BuildOptions {
  config: Config
  db: Database
  /** where log lines go instead of stdout (tests read them) */
  logStream?: LogDestination
  audiences?: AudienceSources
}

/** The whole HTTP service, built the same way by the server, the tests and the OpenAPI writer. */
export async function buildApp({ config, db, logStream, audiences = defaultAudiences }: BuildOptions) {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, logStream),
    genReqId: requestId,
    // Fastify's two lines per request are replaced by request-log.ts's one.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    routerOptions: { maxParamLength: 200 },
    // A number of hops as proxy-addr's function (Fastify's types omit the number form it accepts).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    frameworkErrors: frameworkErrorHandler,
    schemaController: { compilersFactory: { buildValidator } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  // JSON only: anything else is 415, not a string body that then fails its schema.
  app.removeContentTypeParser('text/plain')
  registerErrorHandling(app)
  registerBodyLimits(app) // per-route body limits, see src/http/body-limits.ts
  registerTextGuard(app) // no NUL or lone surrogate reaches PostgreSQL
  for (const schema of sharedSchemas) app.addSchema(schema)

  await app.register(securityPlugin, { corsOrigins: config.corsOrigins })
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new Problem(429, 'rate_limited', `Too many requests; retry in ${context.after}.`, undefined, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
  })
  await app.register(requestLogPlugin)
  await app.register(openapiPlugin)
  await app.register(authPlugin)

  // One line per feature; the order is that of the OpenAPI document (its paths and components).
  const deps = { config, db, audiences }
  await app.register(healthRoutes, deps)
  await app.register(authFeature, deps) // accounts, sessions, magic links
  await app.register(eventsFeature, deps)
  await app.register(emailFeature, deps)
  await app.register(registrationsFeature, deps)
  await app.register(ticketsFeature, deps)
  await app.register(checkinFeature, deps)
  await app.register(associationsFeature, deps)
  await app.register(standsFeature, deps)
  await app.register(doorAppRoutes, deps) // the door staff's web app at /door

  return app
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops
}

export type App = Awaited<ReturnType<typeof buildApp>>
