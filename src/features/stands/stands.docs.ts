import type { FeatureDocs, RouteDoc } from '../../http/openapi-docs.js'
import { MAX_IMPORT_ROWS } from './stand-import.js'

const organizers: Pick<RouteDoc, 'auth' | 'errors'> = { auth: ['session'], errors: ['forbidden', 'not_found'] }
const decision = (operationId: string, ok: string, errors: RouteDoc['errors'] = []): RouteDoc => ({
  operationId,
  auth: ['session'],
  errors: ['forbidden', 'not_found', 'invalid_transition', ...errors],
  ok,
})

export const standDocs: FeatureDocs = {
  routes: {
    'POST /v1/events/:eventId/stands': {
      operationId: 'createStand',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'stand_code_taken'],
      ok: 'The created stand.',
    },
    'POST /v1/events/:eventId/stands/import': {
      operationId: 'importStands',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'stand_code_taken'],
      ok: 'The imported stands.',
      requestJson: { type: 'array', maxItems: MAX_IMPORT_ROWS, items: { $ref: '#/components/schemas/StandCreate' } },
      requestMedia: {
        'text/csv': 'A header row naming the columns, then one stand per row (comma or semicolon separated, decimal comma allowed).',
      },
    },
    'GET /v1/events/:eventId/stands': { operationId: 'listStands', auth: ['public', 'session'], errors: ['not_found'], ok: "The event's stands." },
    'PATCH /v1/stands/:standId': {
      operationId: 'updateStand',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'stand_code_taken'],
      ok: 'The changed stand.',
    },
    'DELETE /v1/stands/:standId': { operationId: 'deleteStand', auth: ['session'], errors: ['forbidden', 'not_found', 'stand_taken'], ok: 'Deleted.' },
    'POST /v1/events/:eventId/stand-bookings': {
      operationId: 'createStandBooking',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'already_booked', 'booking_closed'],
      location: '/v1/stand-bookings/{id}',
      ok: 'The requested booking.',
    },
    'GET /v1/events/:eventId/stand-bookings': { operationId: 'listStandBookings', ...organizers, ok: "The event's stand bookings the caller may see." },
    'GET /v1/stand-bookings/:id': { operationId: 'getStandBooking', auth: ['session'], errors: ['not_found'], ok: 'The booking with its history.' },
    'POST /v1/stand-bookings/:id/approve': decision('approveStandBooking', 'The approved booking.', ['stand_taken']),
    'POST /v1/stand-bookings/:id/reject': decision('rejectStandBooking', 'The rejected booking.'),
    'POST /v1/stand-bookings/:id/waitlist': decision('waitlistStandBooking', 'The waitlisted booking.'),
    'DELETE /v1/stand-bookings/:id': decision('withdrawStandBooking', 'The withdrawn or cancelled booking.'),
    'GET /v1/stand-bookings/:id/passes': { operationId: 'listPasses', auth: ['session'], errors: ['not_found'], ok: "The booking's passes." },
    'PATCH /v1/passes/:ticketId': { operationId: 'renamePass', auth: ['session'], errors: ['not_found', 'pass_revoked'], ok: 'The renamed pass.' },
    'POST /v1/passes/:ticketId/revoke': { operationId: 'revokePass', auth: ['session'], errors: ['not_found'], ok: 'The revoked pass.' },
  },
  schemas: {
    StandFeatures: 'What a stand comes with: power, tables, chairs.',
    StandCreate: 'A new stand: code, area, size, price and features.',
    Stand: 'A stand of the plan, with whether it is still `available`.',
    StandList: "An event's stands.",
    BookingRequirements: 'What the association needs at its stand.',
    StandBookingCreate: 'An association asking for a stand, with its wishes.',
    BookingHistoryEntry: 'One step in the life of a booking: what happened, when, by whom.',
    StandBooking: 'A stand booking: the association, its status, the stand and the history.',
    StandBookingList: "An event's stand bookings.",
    StandBookingApprove: 'The stand to approve the booking onto.',
    StandBookingReject: 'Why the booking is rejected; the association is told.',
    StandBookingWaitlist: 'An optional note for putting the booking on the waitlist.',
    ExhibitorPass: 'An exhibitor pass (a ticket of kind exhibitor) of an approved booking.',
    ExhibitorPassList: "A booking's exhibitor passes.",
    ExhibitorPassPatch: 'The staff member who wears the pass.',
  },
}
