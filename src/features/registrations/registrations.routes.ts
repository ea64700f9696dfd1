import type { FastifyRequest } from 'fastify'
import type { Database } from '../../db/client.js'
import { Problem } from '../../http/problem.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { ipAndEmailLimits, perIpLimit, visitorWriteLimit } from '../../http/rate-limits.js'
import { EventParams } from '../events/events.schemas.js'
import { checkEventAccess, findEvent, findEventShared, isEventStaff, loadEvent } from '../events/event-access.js'
import { createRegistration } from './registration-create.js'
import { CALENDAR_CONTENT_TYPE, registrationCalendar } from './calendar.js'
import {
  IdempotencyHeaders,
  Registration,
  RegistrationCreate,
  RegistrationCreated,
  RegistrationParams,
  RegistrationPatch,
  ResendRequest,
} from './registrations.schemas.js'
import {
  cancelRegistration,
  findRegistration,
  patchRegistration,
  registrationView,
  resendConfirmation,
  resolveRegistrationToken,
  ticketLink,
  type RegistrationRow,
} from './registrations.service.js'

const tags = ['registrations']
const security = [{ bearer: [] }]

/**
 * The registration's own manage token, or staff of its event. Anyone else learns nothing, not even that it
 * exists (404); no credentials at all is 401.
 */
export async function loadRegistrationFor(db: Database, request: FastifyRequest, id: string): Promise<RegistrationRow> {
  if (!request.principal) throw Problem.unauthenticated()
  return authorizedRegistration(db, request, await findRegistration(db, id))
}

/** The same check for a registration the caller has read already (a hot route reads it with what else it needs). */
export async function authorizedRegistration(db: Database, request: FastifyRequest, registration: RegistrationRow | undefined): Promise<RegistrationRow> {
  const principal = request.principal
  if (!principal) throw Problem.unauthenticated()
  if (registration) {
    if (principal.kind === 'registration' && principal.registrationId === registration.id) return registration
    if (await isEventStaff(db, principal, registration.eventId)) return registration
  }
  throw Problem.notFound('registration')
}

export const registrationRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.authenticators.set('vmr_', (token) => resolveRegistrationToken(db, token))
  const perIp = perIpLimit(app, config.rateLimit, { max: 30, timeWindow: '1 minute' })

  app.post(
    '/v1/events/:eventId/registrations',
    {
      ...perIp,
      schema: {
        tags,
        summary: 'Register to attend (public). Idempotency-Key makes retries safe.',
        params: EventParams,
        headers: IdempotencyHeaders,
        body: ref(RegistrationCreate),
        response: { 201: ref(RegistrationCreated), ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await checkEventAccess(db, request.principal, await findEventShared(db, request.params.eventId), 'read')
      const result = await createRegistration(db, config, event, request.body, request.headers['idempotency-key'])
      return reply.code(201).send({
        id: result.registration.id,
        status: result.registration.status,
        partySize: result.registration.partySize,
        ...(result.waitlistPosition ? { waitlistPosition: result.waitlistPosition } : {}),
        manageToken: result.manageToken,
        ...(result.ticket && !result.ticket.revokedAt ? { ticket: ticketLink(result.ticket) } : {}),
      })
    },
  )

  app.post(
    '/v1/events/:eventId/registrations/resend',
    {
      ...ipAndEmailLimits(app, config.rateLimit, {
        what: 'confirmation resends',
        perIp: { max: 10, timeWindow: '1 minute' },
        perEmail: { max: 3, timeWindow: '15 minutes' },
      }),
      schema: {
        tags,
        summary: 'Send the confirmation again to a registered email (always 202: nobody learns who is registered)',
        params: EventParams,
        body: ref(ResendRequest),
        response: { 202: { type: 'object', additionalProperties: false, properties: {} }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      await resendConfirmation(db, config, event, request.body.email)
      return reply.code(202).send({})
    },
  )

  app.get(
    '/v1/registrations/:id',
    {
      schema: {
        tags,
        security,
        summary: 'A registration (its manage token, or the event\'s organizers)',
        params: RegistrationParams,
        response: { 200: ref(Registration), ...problemResponses },
      },
    },
    async (request) => registrationView(db, await loadRegistrationFor(db, request, request.params.id)),
  )

  app.get(
    '/v1/registrations/:id/calendar.ics',
    {
      schema: {
        tags,
        security,
        summary: 'The calendar entry of a registration (text/calendar, METHOD:PUBLISH, UID stable per registration)',
        params: RegistrationParams,
        response: { 200: { type: 'string', description: 'an iCalendar file' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const registration = await loadRegistrationFor(db, request, request.params.id)
      const event = (await findEvent(db, registration.eventId))!
      const calendar = registrationCalendar({
        registrationId: registration.id,
        eventTitle: event.title,
        description: event.description,
        startsAt: event.startsAt,
        endsAt: event.endsAt,
        timezone: event.timezone,
        venueName: event.venueName,
        venueAddress: event.venueAddress,
        // The link asks for the manage token in the front end; the token itself is never stored to put here.
        url: `${config.publicUrl}/registrations/${registration.id}`,
        cancelled: registration.status === 'cancelled' || event.status === 'cancelled',
      })
      return reply
        .type(CALENDAR_CONTENT_TYPE)
        .header('content-disposition', 'attachment; filename="vereinsmesse.ics"')
        .send(calendar)
    },
  )

  app.patch(
    '/v1/registrations/:id',
    {
      ...visitorWriteLimit(app, config.rateLimit, { max: 30, timeWindow: '1 minute' }),
      schema: {
        tags,
        security,
        summary: 'Change name, language or party size (growing needs room: 409 capacity_exceeded)',
        params: RegistrationParams,
        body: ref(RegistrationPatch),
        response: { 200: ref(Registration), ...problemResponses },
      },
    },
    async (request) => {
      const registration = await loadRegistrationFor(db, request, request.params.id)
      return registrationView(db, await patchRegistration(db, config, registration, request.body))
    },
  )

  app.delete(
    '/v1/registrations/:id',
    {
      ...visitorWriteLimit(app, config.rateLimit, { max: 30, timeWindow: '1 minute' }),
      schema: {
        tags,
        security,
        summary: 'Cancel: the ticket is revoked, the places freed and the waitlist promoted',
        params: RegistrationParams,
        response: { 204: { type: 'null', description: 'cancelled' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const registration = await loadRegistrationFor(db, request, request.params.id)
      await cancelRegistration(db, config, registration)
      return reply.code(204).send(null)
    },
  )
}
