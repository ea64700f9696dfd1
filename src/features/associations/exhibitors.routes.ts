import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/events.service.js'
import { ExhibitorList, ExhibitorListQuery } from './exhibitors.schemas.js'
import { listExhibitors } from './exhibitors.service.js'

export const exhibitorRoutes: FeatureRoutes = async (app, { db }) => {
  app.get(
    '/v1/events/:eventId/exhibitors',
    {
      schema: {
        tags: ['associations'],
        summary: 'The exhibitors of a fair: approved stand bookings with stand, public profile and confirmed co-exhibitors',
        params: EventParams,
        querystring: ExhibitorListQuery,
        response: { 200: ref(ExhibitorList), ...problemResponses },
      },
    },
    async (request) => {
      // Public for a published event; a draft only for its staff, like the event itself.
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return listExhibitors(db, event.id, request.query)
    },
  )
}
