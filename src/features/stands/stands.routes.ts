import type { FastifyRequest } from 'fastify'
import type { Database } from '../../db/client.js'
import { Problem } from '../../http/problem.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/event-access.js'
import { MAX_IMPORT_ROWS } from './stand-import.js'
import { Stand, StandCreate, StandList, StandParams, StandPatch } from './stands.schemas.js'
import { createStand, deleteStand, findStand, importStands, listStands, patchStand } from './stands.service.js'

const tags = ['stands']
const security = [{ bearer: [] }]
const IMPORT_URL = '/v1/events/:eventId/stands/import'

/** The stand, for the organizers of its event (and admins); nobody else learns it exists. */
async function loadStandFor(request: FastifyRequest, db: Database, standId: string) {
  const stand = await findStand(db, standId)
  if (!request.principal) throw Problem.unauthenticated()
  if (!stand) throw Problem.notFound('stand')
  await loadEvent(db, request.principal, stand.eventId, 'manage')
  return stand
}

export const standRoutes: FeatureRoutes = async (app, { db }) => {
  // Only in this plugin (encapsulated), and only the import takes it: the rest of the API stays JSON only.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (request, body, done) => {
    if (request.routeOptions.url === IMPORT_URL) done(null, body)
    else done(new Problem(415, 'unsupported_media_type', 'Only the stand import takes text/csv; send JSON.'), undefined)
  })

  app.post(
    '/v1/events/:eventId/stands',
    {
      schema: {
        tags,
        security,
        summary: 'Create a stand (organizers of the event)',
        params: EventParams,
        body: ref(StandCreate),
        response: { 201: ref(Stand), ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return reply.code(201).send(await createStand(db, event.id, request.body))
    },
  )

  app.post(
    IMPORT_URL,
    {
      schema: {
        tags,
        security,
        summary: 'Import a stand plan: a JSON array of stands, or CSV (Content-Type: text/csv); all or nothing',
        description:
          `At most ${MAX_IMPORT_ROWS} stands. CSV: a header row naming the columns code, area, widthM, depthM, priceCents, currency, power, tables, chairs, x, y, w, h ` +
          '(comma or semicolon, decimal comma allowed). On any error nothing is imported and the 400 lists the errors as `/rows/{row}/{field}`: ' +
          'JSON rows count from 1, CSV rows as a spreadsheet shows them (the header is row 1).',
        params: EventParams,
        response: { 201: ref(StandList), ...problemResponses },
      },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      const csv = /^text\/csv\b/i.test(request.headers['content-type'] ?? '')
      return reply.code(201).send(await importStands(db, event.id, request.body, csv ? 'csv' : 'json'))
    },
  )

  app.get(
    '/v1/events/:eventId/stands',
    {
      schema: {
        tags,
        summary: 'The stands of an event, each with `available` (public for published events)',
        params: EventParams,
        response: { 200: ref(StandList), ...problemResponses },
      },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return listStands(db, event.id)
    },
  )

  app.patch(
    '/v1/stands/:standId',
    {
      schema: {
        tags,
        security,
        summary: 'Change a stand (organizers of its event)',
        params: StandParams,
        body: ref(StandPatch),
        response: { 200: ref(Stand), ...problemResponses },
      },
    },
    async (request) => patchStand(db, await loadStandFor(request, db, request.params.standId), request.body),
  )

  app.delete(
    '/v1/stands/:standId',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a stand; one an approved booking holds is 409 stand_taken',
        params: StandParams,
        response: { 204: { type: 'null', description: 'deleted' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await deleteStand(db, await loadStandFor(request, db, request.params.standId))
      return reply.code(204).send(null)
    },
  )
}
