import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * One log line per request, when it is answered, instead of Fastify's two (incoming + completed): half the
 * logging cost on the hot routes. Ids and the route pattern only: no query string, no personal data. The request
 * id is pino's `reqId` binding, the same UUID as the X-Request-Id header and problem+json's `instance`.
 */
export const requestLogPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    )
  })
})
