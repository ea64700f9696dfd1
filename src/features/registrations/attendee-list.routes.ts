import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/event-access.js'
import { RegistrationList, RegistrationListQuery } from './attendee-list.schemas.js'
import { CSV_COLUMNS, listRegistrations, registrationsCsv } from './attendee-list.service.js'
import { prefersCsv } from './csv.js'

const tags = ['registrations']
const security = [{ bearer: [] }]

export const attendeeListRoutes: FeatureRoutes = async (app, { db }) => {
  app.get(
    '/v1/events/:eventId/registrations',
    {
      schema: {
        tags,
        security,
        summary: "The event's registrations, first registered first; `Accept: text/csv` exports them (its organizers, admin)",
        description:
          '`q` finds a part of the name or email (case-insensitive; % and _ are plain characters). ' +
          'With `Accept: text/csv` the answer is every matching registration (limit and cursor do not apply), streamed as ' +
          '`text/csv; charset=utf-8` with a byte order mark (so Excel reads UTF-8), CRLF line ends and RFC 4180 quoting, ' +
          `columns ${CSV_COLUMNS.join(', ')}. A cell starting with = + - @, a tab or a carriage return is prefixed with an ` +
          "apostrophe so that spreadsheets show it as text instead of running it as a formula.",
        params: EventParams,
        querystring: RegistrationListQuery,
        response: {
          200: {
            description: 'the list (JSON) or, with Accept: text/csv, the CSV export',
            content: {
              'application/json': { schema: ref(RegistrationList) },
              'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM, header row, RFC 4180' } },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      const { limit, cursor, status, q } = request.query
      if (prefersCsv(request.headers.accept)) {
        const csv = await registrationsCsv(db, event.id, { status, q })
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="registrations-${event.slug}.csv"`)
          .header('cache-control', 'no-store')
          .send(csv as never) // a stream skips serialisation; the schema's string only documents the body
      }
      return reply.type('application/json; charset=utf-8').send(await listRegistrations(db, event.id, { limit, cursor, status, q }))
    },
  )
}
