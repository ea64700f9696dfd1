import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/event-access.js'
import type { InvalidScanRecorder } from './invalid-scans.js'
import { EventStats } from './stats.schemas.js'
import { eventStats } from './stats.service.js'

/** The counter of invalid codes, which the numbers must include, is the one the scans write (see index.ts). */
export const statsRoutes: FastifyPluginAsyncTypebox<AppDeps & { invalidScans: InvalidScanRecorder }> = async (app, { db, invalidScans }) => {
  app.get(
    '/v1/events/:eventId/stats',
    {
      schema: {
        tags: ['events'],
        security: [{ bearer: [] }],
        summary: "The event's numbers: registrations, tickets, the door now and over the day (its organizers, admin)",
        description:
          'Read from the data itself on every request, so right after each scan. Door numbers count people, except `scans`, which ' +
          'counts scans. Stands and bookings are zero until stand bookings exist.',
        params: EventParams,
        response: { 200: ref(EventStats), ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      // This process's counts of invalid codes, written first so that the numbers include them.
      await invalidScans.flush()
      reply.header('cache-control', 'no-store')
      return eventStats(db, event)
    },
  )
}
