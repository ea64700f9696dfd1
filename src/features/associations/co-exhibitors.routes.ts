import { perIpLimit } from '../../http/rate-limits.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { CoExhibitorAnswer, CoExhibitorResult } from './co-exhibitors.schemas.js'
import { answerCoExhibitorInvitation } from './co-exhibitors.service.js'

export const coExhibitorRoutes: FeatureRoutes = async (app, { db, config }) => {
  for (const [action, answer, summary] of [
    ['confirm', 'confirmed', 'Confirm sharing a stand, with the token from the invitation email'],
    ['decline', 'declined', 'Decline sharing a stand, with the token from the invitation email'],
  ] as const) {
    app.post(
      `/v1/co-exhibitors/${action}`,
      {
        // A token has 256 random bits, so this limit is not against guessing but against load.
        ...perIpLimit(app, config.rateLimit, { max: 30, timeWindow: '1 minute' }),
        schema: {
          tags: ['associations'],
          summary,
          description:
            'The token is the credential. Answering the same way twice is 200; the other answer after one is `409 already_responded`; ' +
            'a booking no longer live is `409 invalid_transition`; an unknown token is 404.',
          body: ref(CoExhibitorAnswer),
          response: { 200: ref(CoExhibitorResult), ...problemResponses },
        },
      },
      async (request) => answerCoExhibitorInvitation(db, request.body.token, answer),
    )
  }
}
