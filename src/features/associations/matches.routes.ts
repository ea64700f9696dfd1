import { requireAccount } from '../../http/auth.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { checkEventAccess } from '../events/event-access.js'
import { findEventWithVersion, sendSerialized, versionedBodies } from './exhibitor-cache.js'
import { MatchList, MatchQuery } from './matches.schemas.js'
import { assertMaySeeMatches, matchLocale, rankedMatches } from './matches.service.js'

export const matchRoutes: FeatureRoutes = async (app, { db }) => {
  // Ranking reads every exhibitor of the fair; the answer only changes with them (exhibitor-cache.ts).
  const answers = versionedBodies()

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
      const event = await checkEventAccess(db, request.principal, await findEventWithVersion(db, request.params.eventId), 'read')
      const { associationId, limit } = request.query
      await assertMaySeeMatches(db, request.principal, event.id, associationId)
      const locale = matchLocale(request.query.lang, request.headers['accept-language'])
      const answer = await answers.get(`${event.id}|${associationId}|${locale}|${limit}`, event.contentVersion, async () =>
        String(reply.serialize(await rankedMatches(db, event.id, { associationId, limit }, locale))),
      )
      return sendSerialized(reply.header('content-language', locale).header('vary', 'Accept-Language'), answer.body)
    },
  )
}
