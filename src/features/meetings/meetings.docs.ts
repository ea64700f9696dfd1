import type { FeatureDocs, RouteDoc } from '../../http/openapi-docs.js'

const action = (operationId: string, ok: string, errors: RouteDoc['errors'] = []): RouteDoc => ({
  operationId,
  auth: ['session'],
  errors: ['forbidden', 'not_found', 'invalid_transition', ...errors],
  ok,
})

export const meetingDocs: FeatureDocs = {
  routes: {
    'GET /v1/events/:eventId/meeting-slots': { operationId: 'listMeetingSlots', auth: ['session'], errors: ['forbidden', 'not_found', 'not_exhibiting'], ok: 'The slots, free or not for the association.' },
    'POST /v1/events/:eventId/meetings': {
      operationId: 'requestMeeting',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'not_exhibiting', 'already_requested', 'meetings_closed'],
      ok: 'The requested meeting.',
    },
    'POST /v1/meetings/:id/accept': action('acceptMeeting', 'The accepted or scheduled meeting.', ['meetings_closed', 'slot_taken', 'meeting_limit']),
    'POST /v1/meetings/:id/decline': action('declineMeeting', 'The declined meeting.'),
    'POST /v1/meetings/:id/reschedule': action('rescheduleMeeting', 'The meeting at its new time.', ['meetings_closed', 'slot_taken']),
    'POST /v1/meetings/:id/held': action('holdMeeting', 'The meeting, held.'),
    'DELETE /v1/meetings/:id': action('cancelMeeting', 'The cancelled meeting.'),
    'GET /v1/associations/:id/meetings': { operationId: 'listAssociationMeetings', auth: ['session'], errors: ['forbidden', 'not_found'], ok: "The association's meetings at the fair." },
    'GET /v1/associations/:id/agenda.ics': {
      operationId: 'getAssociationAgenda',
      auth: ['session'],
      errors: ['forbidden', 'not_found'],
      ok: "The association's scheduled meetings.",
      media: { 'text/calendar': 'An iCalendar file (METHOD:PUBLISH), one event per scheduled meeting, UIDs stable per meeting.' },
      headers: { 'Content-Disposition': 'attachment; filename="meetings.ics"' },
    },
    'POST /v1/events/:eventId/meetings/schedule': { operationId: 'scheduleMeetings', auth: ['session'], errors: ['forbidden', 'not_found'], ok: 'How many were placed, and which were not and why.' },
    'GET /v1/events/:eventId/meetings/stats': { operationId: 'getMeetingStats', auth: ['session'], errors: ['forbidden', 'not_found'], ok: "The fair's meetings in figures." },
  },
  schemas: {
    MeetingPlace: 'Where a meeting takes place: a stand or a numbered meeting table.',
    MeetingCreate: 'A meeting request: from, to, a message and up to three proposed slot starts.',
    Meeting: 'A meeting between two associations: its status, time and place.',
    MeetingAccept: 'Accepting, optionally at a given slot start.',
    MeetingDecline: 'Why the meeting is declined; the inviting side is told.',
    MeetingReschedule: 'The new slot start.',
    MeetingSlotList: "The fair's meeting slots for one association.",
    AssociationMeeting: "A meeting as one association sees it: with whom, sent or received, and why they match.",
    AssociationMeetingList: "An association's meetings at a fair.",
    MeetingScheduleResult: "The scheduler's result.",
    MeetingStats: "The fair's meetings by status, and its bridges.",
  },
}
