import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/event-access.js'
import { announce } from './announcements.service.js'
import { AnnouncementCreate, AnnouncementQueued, OutboxEmailList, OutboxEmailListQuery } from './email.schemas.js'
import { listOutboxEmails } from './outbox-list.service.js'

const tags = ['email']
const security = [{ bearer: [] }]

export const emailRoutes: FeatureRoutes = async (app, { db, audiences }) => {
  app.post(
    '/v1/events/:eventId/announcements',
    {
      schema: {
        tags,
        security,
        summary: 'Email an announcement to the visitors, the exhibitors or both (its organizers, admin); only queued',
        params: EventParams,
        body: ref(AnnouncementCreate),
        response: { 202: ref(AnnouncementQueued), ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      const queued = await announce(db, audiences, event, request.body)
      return reply.code(202).send({ queued })
    },
  )

  app.get(
    '/v1/events/:eventId/emails',
    {
      schema: {
        tags,
        security,
        summary: "The event's outbox, newest first, with status, attempts and last error (its organizers, admin)",
        params: EventParams,
        querystring: OutboxEmailListQuery,
        response: { 200: ref(OutboxEmailList), ...problemResponses },
      },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return listOutboxEmails(db, event.id, request.query)
    },
  )
}
