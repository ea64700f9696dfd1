import type { FeatureDocs, RouteDoc } from '../../http/openapi-docs.js'

const door: Pick<RouteDoc, 'auth' | 'errors'> = { auth: ['scanner', 'session'], errors: ['forbidden', 'not_found'] }
const staff: Pick<RouteDoc, 'auth' | 'errors'> = { auth: ['session'], errors: ['forbidden', 'not_found'] }
const noStore = { 'Cache-Control': 'no-store: the numbers change with every scan.' }

export const checkinDocs: FeatureDocs = {
  routes: {
    'POST /v1/events/:eventId/scanners': {
      operationId: 'createScanner',
      ...staff,
      ok: 'The scanner with its token and pairing QR, shown only here.',
    },
    'GET /v1/events/:eventId/scanners': { operationId: 'listScanners', ...staff, ok: "A page of the event's scanners." },
    'DELETE /v1/scanners/:id': { operationId: 'revokeScanner', auth: ['session'], errors: ['not_found'], ok: 'Revoked.' },
    'POST /v1/events/:eventId/checkins': { operationId: 'checkIn', ...door, ok: 'The verdict on the scan: admitted, or why not.' },
    'POST /v1/events/:eventId/checkins/batch': {
      operationId: 'checkInBatch',
      ...door,
      ok: 'The verdict on each scan, in the order sent.',
    },
    'POST /v1/sessions/:sessionId/checkins': {
      operationId: 'checkInSession',
      auth: ['scanner', 'session'],
      errors: ['forbidden', 'not_found', 'invalid_transition'],
      ok: "The verdict on the scan at the session's room door: admitted, or why not.",
    },
    'POST /v1/sessions/:sessionId/checkins/batch': {
      operationId: 'checkInSessionBatch',
      auth: ['scanner', 'session'],
      errors: ['forbidden', 'not_found', 'invalid_transition'],
      ok: 'The verdict on each scan at the room door, in the order sent.',
    },
    'GET /v1/events/:eventId/occupancy': { operationId: 'getOccupancy', ...door, ok: 'How many people are inside now.', headers: noStore },
    'GET /v1/events/:eventId/stats': { operationId: 'getEventStats', ...staff, ok: "The event's numbers.", headers: noStore },
    'GET /v1/events/:eventId/checkin-snapshot': {
      operationId: 'getCheckinSnapshot',
      ...door,
      etag: true,
      ok: 'What a scanner needs to judge scans offline.',
      headers: { Vary: 'Authorization.' },
    },
    'GET /v1/events/:eventId/attendees': {
      operationId: 'searchAttendees',
      ...door,
      ok: 'The tickets whose holder matches the search.',
      headers: { 'Cache-Control': 'no-store: personal data is not kept in caches.' },
    },
  },
  schemas: {
    Scan: 'One scan at the door: the ticket code from the QR (or the ticket id when found by name), entry or exit.',
    CheckinTicket: 'The ticket a scan was about, with its holder as the door may show them.',
    ScanResult: 'The verdict on a scan: admitted, or the reason it was refused.',
    ScanBatch: 'Scans made offline, in the order they were scanned.',
    ScanBatchResult: 'The verdicts on a batch of scans, in the order sent.',
    Occupancy: 'How many people are inside now, as counted by the door.',
    CheckinSnapshot: "The event's tickets and the keys to check codes, for a scanner judging offline.",
    Attendee: 'A ticket found by its holder\'s name or email.',
    AttendeeList: 'The tickets found by a search at the door.',
    ScannerCreate: 'A new door scanner device: its name and gate.',
    Scanner: 'A door scanner device of an event.',
    ScannerCreated: 'A new scanner with its token (`vmd_…`) and a pairing QR, shown only here.',
    ScannerList: "A page of the event's scanner devices.",
    StatsGroup: 'A number of registrations and the people they bring.',
    EventStats: "An event's numbers: registrations, tickets, the door now and over the day.",
  },
}
