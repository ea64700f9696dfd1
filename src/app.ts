import Fastify, { LogController } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Database } from './db/client.js'
import type { AudienceSources } from './mail/reminders.js'
import { defaultAudiences } from './mail/audiences.js'
import { authPlugin } from './http/auth.js'
import { frameworkErrorHandler, registerErrorHandling } from './http/error-handler.js'
import { healthRoutes } from './http/health.js'
import { registerBodyLimits } from './http/body-limits.js'
import { registerTextGuard } from './http/text-guard.js'
import { requestLogPlugin } from './http/request-log.js'
import { loggerOptions, requestId, type LogDestination } from './http/logging.js'
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
import { ticketDocs } from './features/tickets/tickets.docs.js'
import { Problem } from './http/problem.js'
import { sharedSchemas } from './http/schemas.js'
import { buildValidator } from './http/validation.js'
import { accountSchemas } from './features/accounts/accounts.schemas.js'
import { accountRoutes } from './features/accounts/accounts.routes.js'
import { authSchemas } from './features/auth/auth.schemas.js'
import { authRoutes } from './features/auth/auth.routes.js'
import { eventSchemas } from './features/events/events.schemas.js'
import { eventRoutes } from './features/events/events.routes.js'
import { emailSchemas } from './features/email/email.schemas.js'
import { emailRoutes } from './features/email/email.routes.js'
import { registrationSchemas } from './features/registrations/registrations.schemas.js'
import { registrationRoutes } from './features/registrations/registrations.routes.js'
import { privacySchemas } from './features/registrations/privacy.schemas.js'
import { privacyRoutes } from './features/registrations/privacy.routes.js'
import { attendeeListSchemas } from './features/registrations/attendee-list.schemas.js'
import { attendeeListRoutes } from './features/registrations/attendee-list.routes.js'
import { ticketRoutes } from './features/tickets/tickets.routes.js'
import { scannerSchemas } from './features/checkin/scanners.schemas.js'
import { scannerRoutes } from './features/checkin/scanners.routes.js'
import { checkinSchemas } from './features/checkin/checkins.schemas.js'
import { checkinRoutes } from './features/checkin/checkins.routes.js'
import { doorSchemas } from './features/checkin/door.schemas.js'
import { doorRoutes } from './features/checkin/door.routes.js'
import { statsSchemas } from './features/checkin/stats.schemas.js'
import { vocabularySchemas } from './features/associations/vocabularies.schemas.js'
import { vocabularyRoutes } from './features/associations/vocabularies.routes.js'
import { associationSchemas } from './features/associations/associations.schemas.js'
import { associationRoutes } from './features/associations/associations.routes.js'
import { exhibitorSchemas } from './features/associations/exhibitors.schemas.js'
import { exhibitorRoutes } from './features/associations/exhibitors.routes.js'
import { matchSchemas } from './features/associations/matches.schemas.js'
import { matchRoutes } from './features/associations/matches.routes.js'
import { coExhibitorSchemas } from './features/associations/co-exhibitors.schemas.js'
import { coExhibitorRoutes } from './features/associations/co-exhibitors.routes.js'
import { standSchemas } from './features/stands/stands.schemas.js'
import { standRoutes } from './features/stands/stands.routes.js'
import { bookingSchemas } from './features/stands/bookings.schemas.js'
import { bookingRoutes } from './features/stands/bookings.routes.js'

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
  for (const schema of [...sharedSchemas, ...accountSchemas, ...authSchemas, ...eventSchemas, ...emailSchemas, ...registrationSchemas, ...privacySchemas, ...attendeeListSchemas, ...scannerSchemas, ...checkinSchemas, ...doorSchemas, ...statsSchemas, ...vocabularySchemas, ...associationSchemas, ...exhibitorSchemas, ...matchSchemas, ...coExhibitorSchemas, ...standSchemas, ...bookingSchemas]) app.addSchema(schema)

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
    features: [httpDocs, authDocs, accountDocs, eventDocs, emailDocs, registrationDocs, ticketDocs, checkinDocs, associationDocs, standDocs],
  })
  if (answerCheck) await app.register(answerCheckPlugin, answerCheck)
  await app.register(authPlugin)

  const deps = { config, db, audiences }
  await app.register(healthRoutes, deps)
  await app.register(authRoutes, deps)
  await app.register(accountRoutes, deps)
  await app.register(eventRoutes, deps)
  await app.register(emailRoutes, deps)
  await app.register(registrationRoutes, deps)
  await app.register(privacyRoutes, deps)
  await app.register(attendeeListRoutes, deps)
  await app.register(ticketRoutes, deps)
  await app.register(scannerRoutes, deps)
  await app.register(checkinRoutes, deps)
  await app.register(doorRoutes, deps)
  await app.register(vocabularyRoutes, deps)
  await app.register(associationRoutes, deps)
  await app.register(exhibitorRoutes, deps)
  await app.register(matchRoutes, deps)
  await app.register(coExhibitorRoutes, deps)
  await app.register(standRoutes, deps)
  await app.register(bookingRoutes, deps)

  return app
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops
}

export type App = Awaited<ReturnType<typeof buildApp>>
