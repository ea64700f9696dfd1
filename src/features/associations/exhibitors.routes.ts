import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { checkEventAccess } from '../events/event-access.js'
import { notModifiedResponse } from '../tickets/tickets.schemas.js'
import { matchesIfNoneMatch } from '../../http/etag.js'
import { findEventWithVersion, sendSerialized, versionedBodies } from './exhibitor-cache.js'
import { ExhibitorList, ExhibitorListQuery } from './exhibitors.schemas.js'
import { listExhibitors } from './exhibitors.service.js'

export const exhibitorRoutes: FeatureRoutes = async (app, { db }) => {
  // Every visitor's app reads this list; it changes when the organizers approve or end a booking (exhibitor-cache.ts).
  const pages = versionedBodies()

  app.get(
    '/v1/events/:eventId/exhibitors',
    {
      schema: {
        tags: ['associations'],
        summary: 'The exhibitors of a fair: approved stand bookings with stand, public profile and confirmed co-exhibitors',
        description: 'Each page carries a strong `ETag`; poll with `If-None-Match` for a `304` while nothing shown changed.',
        params: EventParams,
        querystring: ExhibitorListQuery,
        response: { 200: ref(ExhibitorList), 304: notModifiedResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      // Public for a published event; a draft only for its staff, like the event itself.
      const event = await checkEventAccess(db, request.principal, await findEventWithVersion(db, request.params.eventId), 'read')
      const { limit, cursor } = request.query
      const page = await pages.get(`${event.id}|${limit}|${cursor ?? ''}`, event.contentVersion, async () =>
        String(reply.serialize(await listExhibitors(db, event.id, { limit, cursor }))),
      )
      // no-cache: a browser or proxy may keep the page but must ask (cheaply, If-None-Match) before showing it again
      reply.header('etag', page.etag).header('cache-control', 'no-cache')
      if (matchesIfNoneMatch(request.headers['if-none-match'], page.etag)) return reply.code(304).send()
      return sendSerialized(reply, page.body)
    },
  )
}
