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
import { loggerOptions, requestId, requestLogger, type LogDestination } from './http/logging.js'
import { securityPlugin } from './http/security.js'
import { openapiPlugin } from './http/openapi.js'
import { answerCheckPlugin, type AnswerCheckOptions } from './http/answer-check.js'
import { httpDocs } from './http/http.docs.js'
import { accountDocs } from './features/accounts/accounts.docs.js'
import { associationDocs } from './features/associations/associations.docs.js'
import { authDocs } from './features/auth/auth.docs.js'
import { checkinDocs } from './features/checkin/checkin.docs.js'
import { emailDocs } from './features/email/email.docs.js'
import { eventDocs } from './features/events/events.docs.js'
import { registrationDocs } from './features/registrations/registrations.docs.js'
import { standDocs } from './features/stands/stands.docs.js'
import { programDocs } from './features/program/program.docs.js'
import { ticketDocs } from './features/tickets/tickets.docs.js'
import { meetingDocs } from './features/meetings/meetings.docs.js'
import { Problem } from './http/problem.js'
import { sharedSchemas } from './http/schemas.js'
import { buildSerializer } from './http/serialization.js'
import { buildValidator } from './http/validation.js'
import { authFeature } from './features/auth/index.js'
import { eventsFeature } from './features/events/index.js'
import { emailFeature } from './features/email/index.js'
import { registrationsFeature } from './features/registrations/index.js'
import { ticketsFeature } from './features/tickets/index.js'
import { checkinFeature } from './features/checkin/index.js'
import { associationsFeature } from './features/associations/index.js'
import { standsFeature } from './features/stands/index.js'
import { programFeature } from './features/program/index.js'
import { meetingsFeature } from './features/meetings/index.js'
import { doorAppRoutes } from './features/door-app/door-app.routes.js'

export interface BuildOptions {
  config: Config
  db: Database
  /** where log lines go instead of stdout (tests read them) */
  logStream?: LogDestination
  audiences?: AudienceSources
  /** tests: hold every answer against the OpenAPI document (see http/answer-check.ts) */
  answerCheck?: AnswerCheckOptions
}

/** The whole HTTP service, built the same way by the server, the tests and the OpenAPI writer. */
export async function buildApp({ config, db, logStream, audiences = defaultAudiences, answerCheck }: BuildOptions) {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, logStream),
    genReqId: requestId,
    childLoggerFactory: requestLogger,
    // Fastify's two lines per request are replaced by request-log.ts's one.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    routerOptions: { maxParamLength: 200 },
    // A number of hops as proxy-addr's function (Fastify's types omit the number form it accepts).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    frameworkErrors: frameworkErrorHandler,
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
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
  await app.register(openapiPlugin, {
    features: [httpDocs, authDocs, accountDocs, eventDocs, emailDocs, registrationDocs, ticketDocs, checkinDocs, associationDocs, standDocs, programDocs, meetingDocs],
  })
  if (answerCheck) await app.register(answerCheckPlugin, answerCheck)
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
  await app.register(programFeature, deps) // rooms, sessions, reservations
  await app.register(meetingsFeature, deps) // meetings between associations at a fair
  await app.register(doorAppRoutes, deps) // the door staff's web app at /door

  return app
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops
}

export type App = Awaited<ReturnType<typeof buildApp>>
