import { requireAccount } from '../../http/auth.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/events.service.js'
import { MatchList, MatchQuery } from './matches.schemas.js'
import { matchesFor, matchLocale } from './matches.service.js'

export const matchRoutes: FeatureRoutes = async (app, { db }) => {
  app.get(
    '/v1/events/:eventId/matches',
    {
      schema: {
        tags: ['associations'],
        security: [{ bearer: [] }],
        summary: "An exhibitor's partners at the fair: the other exhibitors ranked by what they share, with the reasons in the caller's language",
        description:
          'For members of the association and the staff of the event; 403 for anyone else, 404 when the association has no approved stand at the event. ' +
          'Language: `?lang=`, else Accept-Language (de, en, tr, ar), else de.',
        params: EventParams,
        querystring: MatchQuery,
        response: { 200: ref(MatchList), ...problemResponses },
      },
    },
    async (request, reply) => {
      requireAccount(request)
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      const locale = matchLocale(request.query.lang, request.headers['accept-language'])
      const matches = await matchesFor(db, request.principal, event.id, request.query, locale)
      return reply.header('content-language', locale).header('vary', 'Accept-Language').send(matches)
    },
  )
}
