import { requireAccount } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { isEventStaff, loadEvent } from '../events/event-access.js'
import { ScannerCreate, ScannerCreated, ScannerList, ScannerListQuery, ScannerParams } from './scanners.schemas.js'
import { createScanner, findScanner, listScanners, revokeScanner, scannerTokens } from './scanners.service.js'

const tags = ['check-in']
const security = [{ bearer: [] }]

export const scannerRoutes: FeatureRoutes = async (app, { db, config }) => {
  const tokens = scannerTokens(db)
  app.authenticators.set('vmd_', (token) => tokens.resolve(token))

  app.post(
    '/v1/events/:eventId/scanners',
    {
      schema: {
        tags,
        security,
        summary: 'Add a door scanner device; its vmd_ token and pairing QR are shown only in this answer (its organizers, admin)',
        params: EventParams,
        body: ref(ScannerCreate),
        response: { 201: ref(ScannerCreated), ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      const account = requireAccount(request)
      return reply.code(201).send(await createScanner(db, config.serviceUrl, event.id, request.body, account.id))
    },
  )

  app.get(
    '/v1/events/:eventId/scanners',
    {
      schema: {
        tags,
        security,
        summary: "The event's scanner devices, revoked ones too, oldest first (its organizers, admin)",
        params: EventParams,
        querystring: ScannerListQuery,
        response: { 200: ref(ScannerList), ...problemResponses },
      },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return listScanners(db, event.id, request.query)
    },
  )

  app.delete(
    '/v1/scanners/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke a scanner: its token is refused from now on (its event\'s organizers, admin)',
        description:
          'Idempotent. The API process that answers stops accepting the token at once, other processes within 5 s. ' +
          'Anyone but the staff of its event gets the 404 of an unknown id.',
        params: ScannerParams,
        response: { 204: { type: 'null', description: 'revoked' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      if (!request.principal) throw Problem.unauthenticated()
      const scanner = await findScanner(db, request.params.id)
      if (!scanner || !(await isEventStaff(db, request.principal, scanner.eventId))) throw Problem.notFound('scanner')
      await revokeScanner(db, scanner.id)
      tokens.forget(scanner.id)
      return reply.code(204).send(null)
    },
  )
}
