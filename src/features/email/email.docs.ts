import type { FeatureDocs } from '../../http/openapi-docs.js'

export const emailDocs: FeatureDocs = {
  routes: {
    'POST /v1/events/:eventId/announcements': {
      operationId: 'createAnnouncement',
      auth: ['session'],
      errors: ['forbidden', 'not_found', 'invalid_transition'],
      ok: 'Accepted: the emails are queued in the outbox.',
    },
    'GET /v1/events/:eventId/emails': {
      operationId: 'listOutboxEmails',
      auth: ['session'],
      errors: ['forbidden', 'not_found'],
      ok: "A page of the event's outbox, newest first.",
    },
  },
  schemas: {
    AnnouncementCreate: 'An announcement: who gets it, and its subject and text.',
    AnnouncementQueued: 'How many emails the announcement queued.',
    OutboxEmail: 'One email of the outbox: to whom, what, its status, attempts and last error.',
    OutboxEmailList: "A page of the event's outbox.",
  },
}
