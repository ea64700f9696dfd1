import type { FeatureDocs, RouteDoc } from '../../http/openapi-docs.js'

const organizers = (operationId: string, ok: string, errors: RouteDoc['errors'] = []): RouteDoc => ({
  operationId,
  auth: ['session'],
  errors: ['forbidden', 'not_found', ...errors],
  ok,
})
const holder = (operationId: string, ok: string, errors: RouteDoc['errors'] = [], rateLimited = false): RouteDoc => ({
  operationId,
  auth: ['manage', 'session'],
  errors: ['not_found', ...errors],
  ...(rateLimited ? { rateLimited } : {}),
  ok,
})

export const programDocs: FeatureDocs = {
  routes: {
    'POST /v1/events/:eventId/rooms': organizers('createRoom', 'The new room.'),
    'GET /v1/events/:eventId/rooms': { operationId: 'listRooms', auth: ['public', 'session'], errors: ['not_found'], ok: "The event's rooms." },
    'PATCH /v1/rooms/:roomId': organizers('updateRoom', 'The changed room.', ['room_in_use']),
    'DELETE /v1/rooms/:roomId': organizers('deleteRoom', 'Deleted.', ['room_in_use']),
    'POST /v1/events/:eventId/sessions': organizers('createSession', 'The new session, a draft.', ['room_busy']),
    'GET /v1/events/:eventId/sessions': { operationId: 'listSessions', auth: ['public', 'session'], errors: ['not_found'], ok: 'A page of the program.' },
    'GET /v1/events/:eventId/program.ics': {
      operationId: 'programCalendar',
      auth: ['public', 'session'],
      errors: ['not_found'],
      ok: 'The program as a calendar.',
      media: { 'text/calendar': 'An iCalendar file (METHOD:PUBLISH), one VEVENT per published session, UID stable per session.' },
    },
    'GET /v1/sessions/:sessionId': { operationId: 'getSession', auth: ['public', 'session'], errors: ['not_found'], ok: 'The session.' },
    'PATCH /v1/sessions/:sessionId': organizers('updateSession', 'The changed session.', ['room_busy', 'capacity_below_confirmed', 'session_overlap', 'invalid_transition']),
    'POST /v1/sessions/:sessionId/publish': organizers('publishSession', 'The published session.', ['invalid_transition']),
    'POST /v1/sessions/:sessionId/cancel': organizers('cancelSession', 'The cancelled session.'),
    'POST /v1/registrations/:id/sessions/:sessionId': holder(
      'reserveSession',
      'Reserved, or on the waitlist.',
      ['session_full', 'registration_not_confirmed', 'already_reserved', 'reservation_not_needed', 'session_overlap'],
      true,
    ),
    'GET /v1/registrations/:id/sessions': holder('listReservations', "The registration's live reservations."),
    'DELETE /v1/registrations/:id/sessions/:sessionId': holder('cancelReservation', 'Cancelled.', [], true),
    'GET /v1/sessions/:sessionId/reservations': {
      ...organizers('listSessionReservations', 'A page of reservations, or with `Accept: text/csv` all of them as CSV.'),
      reads: { Accept: '`text/csv` for the CSV export; JSON otherwise.' },
      headers: {
        'Content-Disposition': 'attachment, with a file name for the CSV export.',
        'Cache-Control': 'no-store (on the CSV export): personal data is not kept in caches.',
      },
    },
    'GET /v1/sessions/:sessionId/stats': organizers('sessionStats', 'The figures of the session.'),
  },
  schemas: {
    RoomCreate: 'A room of the program: name, seats, step-free access, notes.',
    RoomPatch: 'The fields of a room to change.',
    Room: 'A room of the program.',
    RoomList: "An event's rooms.",
    SessionCreate: 'A forum, talk, workshop or performance: topics, languages, room, time, seats, waitlist and how seats are taken.',
    SessionPatch: 'The fields of a session to change; absent fields stay as they are.',
    Session: 'A session of the program with its room, hosts and the seats left.',
    SessionList: 'A page of the program, by start time.',
    Reservation: "A registration's seats in a session: reserved or waitlisted.",
    RegistrationReservation: 'A reservation with its session.',
    RegistrationReservationList: "A registration's live reservations.",
    SessionReservationItem: "A reservation as the organizers see it: who, how many, its status.",
    SessionReservationList: "A page of a session's reservations.",
    SessionStats: 'Seats, reservations, waitlist and the room door of a session.',
  },
}
