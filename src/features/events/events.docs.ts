import type { FeatureDocs } from '../../http/openapi-docs.js'

export const eventDocs: FeatureDocs = {
  routes: {
    'POST /v1/events': {
      operationId: 'createEvent',
      auth: ['session'],
      errors: ['forbidden', 'slug_taken'],
      location: '/v1/events/{id}',
      ok: 'The created event, a draft.',
    },
    'GET /v1/events': { operationId: 'listEvents', auth: ['public', 'session'], ok: 'A page of events the caller may see.' },
    'GET /v1/events/:eventId': { operationId: 'getEvent', auth: ['public', 'session'], errors: ['not_found'], ok: 'The event.' },
    'PATCH /v1/events/:eventId': {
      operationId: 'updateEvent',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'slug_taken', 'invalid_transition', 'capacity_below_confirmed'],
      ok: 'The changed event.',
    },
    'POST /v1/events/:eventId/publish': {
      operationId: 'publishEvent',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'invalid_transition'],
      ok: 'The published event.',
    },
    'POST /v1/events/:eventId/cancel': { operationId: 'cancelEvent', auth: ['session'], errors: ['forbidden', 'not_found'], ok: 'The cancelled event.' },
    'GET /v1/events/:eventId/organizers': {
      operationId: 'listOrganizers',
      auth: ['session'],
      errors: ['forbidden', 'not_found'],
      ok: "The event's organizers.",
    },
    'PUT /v1/events/:eventId/organizers/:accountId': {
      operationId: 'assignOrganizer',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'not_an_organizer'],
      ok: "The event's organizers, the assigned one among them.",
    },
    'DELETE /v1/events/:eventId/organizers/:accountId': {
      operationId: 'removeOrganizer',
      auth: ['session'],
      errors: ['forbidden', 'not_found'],
      ok: 'Removed.',
    },
  },
  schemas: {
    Venue: 'Where the fair takes place.',
    MeetingWindow: 'A time span of the fair in which associations meet.',
    MeetingSettings: "The event's meetings between associations: slots, tables and the limit per association.",
    MeetingSettingsInput: "New meeting settings; they replace the old ones whole, absent fields take their defaults.",
    Reminder: 'An email reminder sent to visitors or exhibitors a number of minutes before the event starts.',
    EventCreate: 'A new event; it starts as a draft.',
    EventPatch: 'The fields of an event to change; absent fields stay as they are.',
    Event: 'An event (the fair), with its status and the windows for registration and stand booking.',
    EventList: 'A page of events.',
    OrganizerList: 'The organizer accounts assigned to an event.',
  },
}
