import type { Database } from '../../db/client.js'
import { visitorWriteLimit } from '../../http/rate-limits.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { RegistrationParams } from '../registrations/registrations.schemas.js'
import { authorizedRegistration, loadRegistrationFor } from '../registrations/registrations.routes.js'
import { loadSessionFor } from './program-access.js'
import { RegistrationReservationList, Reservation, ReservationParams, SessionParams, SessionReservationList, SessionReservationQuery, SessionStats } from './program.schemas.js'
import { cancelReservation, registrationReservations, reservableSession, reservationFacts, reserve } from './reservations.service.js'
import { RESERVATION_CSV_COLUMNS, sessionReservationList, sessionReservationsCsv, sessionStats } from './session-reports.js'
import { prefersCsv } from '../registrations/csv.js'

const tags = ['program']
const security = [{ bearer: [] }]

export const reservationRoutes: FeatureRoutes = async (app, { db, config }) => {
  const limit = visitorWriteLimit(app, config.rateLimit, { max: 30, timeWindow: '1 minute' })
  const registrationOf = (request: Parameters<typeof loadRegistrationFor>[1], id: string) => loadRegistrationFor(db as Database, request, id)

  app.post(
    '/v1/registrations/:id/sessions/:sessionId',
    {
      ...limit,
      schema: {
        tags,
        security,
        summary: "Reserve seats in a session for the registration's party (its manage token, or organizers); waitlisted when full and the session has a waitlist",
        params: ReservationParams,
        response: { 201: ref(Reservation), ...problemResponses },
      },
    },
    async (request, reply) => {
      const facts = await reservationFacts(db as Database, request.params.id, request.params.sessionId)
      const registration = await authorizedRegistration(db as Database, request, facts.registration)
      return reply.code(201).send(await reserve(db as Database, config, registration, reservableSession(registration, facts.session)))
    },
  )

  app.get(
    '/v1/registrations/:id/sessions',
    {
      schema: { tags, security, summary: "The registration's live reservations, each with its session", params: RegistrationParams, response: { 200: ref(RegistrationReservationList), ...problemResponses } },
    },
    async (request) => registrationReservations(db, (await registrationOf(request, request.params.id)).id),
  )

  app.delete(
    '/v1/registrations/:id/sessions/:sessionId',
    {
      ...limit,
      schema: {
        tags,
        security,
        summary: "Cancel a reservation: the seats are freed and the session's waitlist promoted",
        params: ReservationParams,
        response: { 204: { type: 'null', description: 'cancelled' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const registration = await registrationOf(request, request.params.id)
      await cancelReservation(db, config, registration.id, request.params.sessionId.toLowerCase())
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/sessions/:sessionId/reservations',
    {
      schema: {
        tags,
        security,
        summary: "The session's reservations, first come first; `Accept: text/csv` exports them (organizers)",
        description: `With \`Accept: text/csv\` every matching reservation (limit and cursor do not apply), columns ${RESERVATION_CSV_COLUMNS.join(', ')}; formula-looking cells are neutralised.`,
        params: SessionParams,
        querystring: SessionReservationQuery,
        response: {
          200: {
            description: 'the list (JSON) or, with Accept: text/csv, the CSV export',
            content: {
              'application/json': { schema: ref(SessionReservationList) },
              'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM, header row, RFC 4180' } },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { session } = await loadSessionFor(request, db, request.params.sessionId, 'manage')
      if (prefersCsv(request.headers.accept)) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="reservations-${session.id}.csv"`)
          .header('cache-control', 'no-store')
          .send(await sessionReservationsCsv(db, session.id, request.query.status))
      }
      return reply.type('application/json; charset=utf-8').send(await sessionReservationList(db, session.id, request.query))
    },
  )

  app.get(
    '/v1/sessions/:sessionId/stats',
    { schema: { tags, security, summary: 'Seats, reservations, waitlist and the room door of a session (organizers)', params: SessionParams, response: { 200: ref(SessionStats), ...problemResponses } } },
    async (request) => sessionStats(db, (await loadSessionFor(request, db, request.params.sessionId, 'manage')).session),
  )
}
