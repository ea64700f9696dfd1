import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { isEventStaff, loadEvent } from '../events/event-access.js'
import { loadSessionFor } from './program-access.js'
import { Session, SessionCreate, SessionList, SessionListQuery, SessionParams, SessionPatch } from './program.schemas.js'
import { CALENDAR_CONTENT_TYPE, programCalendar } from './program-calendar.js'
import { sessionView } from './session-view.js'
import { cancelSession, createSession, listSessions, patchSession, publishSession } from './sessions.service.js'

const tags = ['program']
const security = [{ bearer: [] }]

export const sessionRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.post(
    '/v1/events/:eventId/sessions',
    {
      schema: {
        tags,
        security,
        summary: 'Add a session to the program as a draft (organizers); an overlap in its room is 409 room_busy',
        params: EventParams,
        body: ref(SessionCreate),
        response: { 201: ref(Session), ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return reply.code(201).send(await createSession(db, event, request.body))
    },
  )

  app.get(
    '/v1/events/:eventId/sessions',
    {
      schema: {
        tags,
        summary: 'The program by start time (public: published and cancelled sessions; organizers also drafts)',
        description: '`day` is a date in the event\'s time zone; `topic` a field of activity; `language` one the session is held in.',
        params: EventParams,
        querystring: SessionListQuery,
        response: { 200: ref(SessionList), ...problemResponses },
      },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return listSessions(db, event, await isEventStaff(db, request.principal, event.id), request.query)
    },
  )

  app.get(
    '/v1/events/:eventId/program.ics',
    {
      schema: {
        tags,
        summary: 'The whole program as a calendar: one VEVENT per published session (text/calendar)',
        params: EventParams,
        response: { 200: { type: 'string', description: 'an iCalendar file' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return reply
        .type(CALENDAR_CONTENT_TYPE)
        .header('content-disposition', 'attachment; filename="programm.ics"')
        .send(await programCalendar(db, config, event))
    },
  )

  app.get(
    '/v1/sessions/:sessionId',
    { schema: { tags, summary: 'A session (a draft is 404 to the public)', params: SessionParams, response: { 200: ref(Session), ...problemResponses } } },
    async (request) => sessionView(db, (await loadSessionFor(request, db, request.params.sessionId, 'read')).session),
  )

  app.patch(
    '/v1/sessions/:sessionId',
    {
      schema: {
        tags,
        security,
        summary: 'Change a session; a new time or room is checked for overlaps and every holder of a reservation is emailed',
        params: SessionParams,
        body: ref(SessionPatch),
        response: { 200: ref(Session), ...problemResponses },
      },
    },
    async (request) => {
      const { session, event } = await loadSessionFor(request, db, request.params.sessionId, 'manage')
      return patchSession(db, config, event, session.id, request.body)
    },
  )

  app.post(
    '/v1/sessions/:sessionId/publish',
    { schema: { tags, security, summary: 'Publish a draft session', params: SessionParams, response: { 200: ref(Session), ...problemResponses } } },
    async (request) => publishSession(db, (await loadSessionFor(request, db, request.params.sessionId, 'manage')).session.id),
  )

  app.post(
    '/v1/sessions/:sessionId/cancel',
    {
      schema: { tags, security, summary: 'Cancel a session: its reservations are cancelled and their holders emailed', params: SessionParams, response: { 200: ref(Session), ...problemResponses } },
    },
    async (request) => cancelSession(db, config, (await loadSessionFor(request, db, request.params.sessionId, 'manage')).session.id),
  )
}
