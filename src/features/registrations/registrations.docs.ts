import type { FeatureDocs, RouteDoc } from '../../http/openapi-docs.js'

const holder: Pick<RouteDoc, 'auth' | 'errors'> = { auth: ['manage', 'session'], errors: ['not_found'] }
const download = (what: string) => ({
  'Content-Disposition': `attachment, with a file name for the ${what}.`,
  'Cache-Control': 'no-store: personal data is not kept in caches.',
})

export const registrationDocs: FeatureDocs = {
  routes: {
    'POST /v1/events/:eventId/registrations': {
      operationId: 'createRegistration',
      auth: ['public'],
      rateLimited: true,
      errors: ['not_found', 'registration_closed', 'event_full', 'already_registered', 'idempotency_mismatch'],
      location: '/v1/registrations/{id}',
      ok: 'Registered (confirmed, or on the waitlist) with the manage token, shown only here and in the confirmation email.',
    },
    'POST /v1/events/:eventId/registrations/resend': {
      operationId: 'resendConfirmation',
      auth: ['public'],
      rateLimited: true,
      errors: ['not_found'],
      ok: 'Accepted, whether or not the email is registered.',
    },
    'GET /v1/registrations/:id': { operationId: 'getRegistration', ...holder, ok: 'The registration.' },
    'GET /v1/registrations/:id/calendar.ics': {
      operationId: 'getRegistrationCalendar',
      ...holder,
      ok: 'The calendar entry of the registration.',
      media: { 'text/calendar': 'An iCalendar file (METHOD:PUBLISH) with one event, its UID stable per registration.' },
      headers: { 'Content-Disposition': 'attachment; filename="vereinsmesse.ics"' },
    },
    'PATCH /v1/registrations/:id': {
      operationId: 'updateRegistration',
      auth: ['manage', 'session'],
      rateLimited: true,
      errors: ['not_found', 'invalid_transition', 'capacity_exceeded'],
      ok: 'The changed registration.',
    },
    'DELETE /v1/registrations/:id': {
      operationId: 'cancelRegistration',
      auth: ['manage', 'session'],
      rateLimited: true,
      errors: ['not_found'],
      ok: 'Cancelled.',
    },
    'GET /v1/registrations/:id/personal-data': {
      operationId: 'exportPersonalData',
      ...holder,
      ok: 'Everything stored about the person.',
      headers: download('personal data export'),
    },
    'POST /v1/registrations/:id/erase': {
      operationId: 'erasePersonalData',
      auth: ['manage', 'session'],
      rateLimited: true,
      errors: ['not_found'],
      ok: 'The registration with its personal data replaced by placeholders.',
    },
    'GET /v1/events/:eventId/registrations': {
      operationId: 'listRegistrations',
      auth: ['session'],
      errors: ['forbidden', 'not_found'],
      ok: 'A page of registrations, or with `Accept: text/csv` all of them as CSV.',
      reads: { Accept: '`text/csv` for the CSV export; JSON otherwise.' },
      headers: { ...download('CSV export'), 'Cache-Control': 'no-store (on the CSV export): personal data is not kept in caches.' },
    },
  },
  schemas: {
    RegistrationCreate: 'A visitor registering: name, email, language, party size and the consents.',
    RegistrationPatch: 'The fields of a registration to change; absent fields stay as they are.',
    TicketLink: 'The ticket of a confirmed registration: its id, code and QR image links.',
    RegistrationCreated: 'A new registration with its manage token (shown only here and in the confirmation email).',
    Registration: 'A registration: who, how many, its status and its ticket.',
    ResendRequest: 'The email to send the confirmation to again.',
    PersonalData: 'Everything stored about one registered person, for a data subject request.',
    RegistrationListItem: "One registration in the organizers' list.",
    RegistrationList: "A page of the event's registrations.",
  },
}
