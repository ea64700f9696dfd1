import type { FeatureRoutes } from '../../http/routes.js'
import { requireAccount } from '../../http/auth.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { CALENDAR_CONTENT_TYPE } from '../registrations/calendar.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/event-access.js'
import { normaliseLocale } from '../../mail/templates.js'
import {
  AgendaQuery,
  AssociationMeetingList,
  AssociationMeetingsQuery,
  AssociationParams,
  Meeting,
  MeetingAccept,
  MeetingCreate,
  MeetingDecline,
  MeetingParams,
  MeetingReschedule,
  MeetingSlotList,
  MeetingStats,
  ScheduleResult,
  SlotsQuery,
} from './meetings.schemas.js'
import { performMeetingAction, requestMeeting } from './meetings.service.js'
import { agenda, assertMember, listAssociationMeetings, meetingStats, slotsFor } from './meetings-read.service.js'
import { runScheduler } from './schedule.service.js'

const tags = ['meetings']
const security = [{ bearer: [] }]

export const meetingRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.get(
    '/v1/events/:eventId/meeting-slots',
    {
      schema: {
        tags,
        security,
        summary: "The fair's meeting slots, each free or not for one exhibiting association (exhibitors of the fair, organizers)",
        params: EventParams,
        querystring: SlotsQuery,
        response: { 200: ref(MeetingSlotList), ...problemResponses },
      },
    },
    async (request) => {
      requireAccount(request)
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return slotsFor(db, request.principal, event, request.query.associationId)
    },
  )

  app.post(
    '/v1/events/:eventId/meetings',
    {
      schema: {
        tags,
        security,
        summary: 'Ask another exhibiting association for a meeting (members of the inviting one); 409 not_exhibiting, already_requested, meetings_closed',
        params: EventParams,
        body: ref(MeetingCreate),
        response: { 201: ref(Meeting), ...problemResponses },
      },
    },
    async (request, reply) => {
      requireAccount(request)
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return reply.code(201).send(await requestMeeting(db, config, request.principal, event, request.body))
    },
  )

  const actions = [
    ['accept', MeetingAccept, 'Accept (the invited side): at `startsAt`, else the earliest proposed slot free for both, else accepted without a time; 409 slot_taken, meeting_limit'],
    ['decline', MeetingDecline, 'Decline (the invited side; the inviting side cancels instead)'],
    ['reschedule', MeetingReschedule, 'Move an accepted or scheduled meeting to another slot (either side); 409 slot_taken'],
    ['held', null, 'Record that the meeting took place (either side, after its start)'],
  ] as const
  for (const [name, body, summary] of actions) {
    app.post(
      `/v1/meetings/:id/${name}`,
      // held takes no body (one sent is ignored)
      { schema: { tags, security, summary, params: MeetingParams, ...(body ? { body: ref(body) } : {}), response: { 200: ref(Meeting), ...problemResponses } } },
      async (request) => {
        const input = (request.body ?? {}) as { startsAt?: string; reason?: string }
        return performMeetingAction(db, config, request.principal, request.params.id, name === 'held' ? 'hold' : name, input)
      },
    )
  }

  app.delete(
    '/v1/meetings/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Cancel the meeting (either side); its slot is freed. 200 with the meeting, like a stand booking',
        params: MeetingParams,
        response: { 200: ref(Meeting), ...problemResponses },
      },
    },
    async (request) => performMeetingAction(db, config, request.principal, request.params.id, 'cancel'),
  )

  app.get(
    '/v1/associations/:id/meetings',
    {
      schema: {
        tags,
        security,
        summary: "An association's meetings at a fair, by time, with the other side and the match's reasons (its members)",
        params: AssociationParams,
        querystring: AssociationMeetingsQuery,
        response: { 200: ref(AssociationMeetingList), ...problemResponses },
      },
    },
    async (request) => {
      requireAccount(request)
      await assertMember(db, request.principal, request.params.id)
      const event = await loadEvent(db, request.principal, request.query.eventId, 'read')
      const locale = normaliseLocale(request.headers['accept-language'])
      return listAssociationMeetings(db, request.params.id, event.id, locale, request.query.cursor, request.query.limit)
    },
  )

  app.get(
    '/v1/associations/:id/agenda.ics',
    {
      schema: {
        tags,
        security,
        summary: "An association's scheduled meetings at a fair as a calendar (its members)",
        params: AssociationParams,
        querystring: AgendaQuery,
        response: { 200: { type: 'string', description: 'an iCalendar file' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      requireAccount(request)
      await assertMember(db, request.principal, request.params.id)
      const event = await loadEvent(db, request.principal, request.query.eventId, 'read')
      return reply
        .type(CALENDAR_CONTENT_TYPE)
        .header('content-disposition', 'attachment; filename="meetings.ics"')
        .send(await agenda(db, request.params.id, event))
    },
  )

  app.post(
    '/v1/events/:eventId/meetings/schedule',
    {
      schema: {
        tags,
        security,
        summary: 'Place every accepted meeting into a free slot and place (organizers); never moves a meeting that has a time',
        params: EventParams,
        response: { 200: ref(ScheduleResult), ...problemResponses },
      },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return runScheduler(db, config, event, requireAccount(request).id)
    },
  )

  app.get(
    '/v1/events/:eventId/meetings/stats',
    {
      schema: { tags, security, summary: "The fair's meetings by status, associations meeting, and bridges (organizers)", params: EventParams, response: { 200: ref(MeetingStats), ...problemResponses } },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return meetingStats(db, event.id)
    },
  )
}
