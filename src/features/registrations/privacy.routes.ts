import { visitorWriteLimit } from '../../http/rate-limits.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { PersonalData } from './privacy.schemas.js'
import { eraseRegistration, personalData } from './privacy.service.js'
import { loadRegistrationFor } from './registrations.routes.js'
import { Registration, RegistrationParams } from './registrations.schemas.js'
import { registrationView } from './registrations.service.js'

const tags = ['registrations']
const security = [{ bearer: [] }]

export const privacyRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.get(
    '/v1/registrations/:id/personal-data',
    {
      schema: {
        tags,
        security,
        summary: 'Everything stored about the person, as a JSON download (its manage token, or the event\'s organizers)',
        description:
          'The registration, its ticket, when manage links were issued, the Idempotency-Keys used, and every email of the event ' +
          'to the address with the data it was made from. Tokens are never included, neither hashes nor the ones inside links.',
        params: RegistrationParams,
        response: { 200: ref(PersonalData), ...problemResponses },
      },
    },
    async (request, reply) => {
      const registration = await loadRegistrationFor(db, request, request.params.id)
      return reply
        .header('content-disposition', `attachment; filename="personal-data-${registration.id}.json"`)
        .header('cache-control', 'no-store')
        .send(await personalData(db, registration, config.retentionDaysDefault))
    },
  )

  app.post(
    '/v1/registrations/:id/erase',
    {
      ...visitorWriteLimit(app, config.rateLimit, { max: 10, timeWindow: '1 minute' }),
      schema: {
        tags,
        security,
        summary: 'Replace the personal data by placeholders; counts, status and the ticket stay (its manage token, or organizers)',
        description:
          'Email becomes erased-{id}@invalid, name "Erased", accessibility needs null; the emails to the address are scrubbed and ' +
          'queued ones cancelled. Erasing is not cancelling: a confirmed registration keeps its places and its ticket still admits ' +
          '(cancel first to free them). Every manage token is revoked, the one used for this request too: the answer is the last ' +
          'thing it reads, and a retry with it is 401. Erasing again (as staff) answers the same erased registration.',
        params: RegistrationParams,
        response: { 200: ref(Registration), ...problemResponses },
      },
    },
    async (request) => {
      const registration = await loadRegistrationFor(db, request, request.params.id)
      return registrationView(db, await eraseRegistration(db, config, registration))
    },
  )
}
