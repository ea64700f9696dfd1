import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { notModifiedResponse } from '../tickets/tickets.schemas.js'
import { doorOf } from './door-access.js'
import { AttendeeList, AttendeeQuery, CheckinSnapshot } from './door.schemas.js'
import { doorSnapshot, searchAttendees } from './door.service.js'

const tags = ['check-in']
const security = [{ bearer: [] }]

/** What a door needs besides scanning: the snapshot for working offline, and the search for people without a phone. */
export const doorRoutes: FeatureRoutes = async (app, { db }) => {
  app.get(
    '/v1/events/:eventId/checkin-snapshot',
    {
      schema: {
        tags,
        security,
        summary: "Everything a scanner needs to judge alone while offline (the event's door scanners, its organizers)",
        description:
          'The public key verifies ticket codes (`VM1` + base64url of ticket id 16 bytes | key id 6 bytes | Ed25519 signature 64 bytes, ' +
          'signed over `VM1` and the first 22 bytes); the tickets say whom they admit and whether they are revoked or inside. ' +
          'Poll with `If-None-Match`: `304` while no ticket changed. Scans judged offline are uploaded with `POST …/checkins/batch`.',
        params: EventParams,
        response: { 200: ref(CheckinSnapshot), 304: notModifiedResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const door = await doorOf(db, request.principal, request.params.eventId)
      const { etag, snapshot } = await doorSnapshot(db, door.eventId, request.headers['if-none-match'])
      reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'Authorization')
      if (!snapshot) return reply.code(304).send()
      return snapshot
    },
  )

  app.get(
    '/v1/events/:eventId/attendees',
    {
      schema: {
        tags,
        security,
        summary: 'Find a ticket by name or email, to check in someone without their QR code (door scanners of the event, its organizers)',
        description: 'Check the person in with `POST …/checkins {"ticketId": …}`.',
        params: EventParams,
        querystring: AttendeeQuery,
        response: { 200: ref(AttendeeList), ...problemResponses },
      },
    },
    async (request, reply) => {
      const door = await doorOf(db, request.principal, request.params.eventId)
      reply.header('cache-control', 'no-store')
      return searchAttendees(db, door.eventId, request.query.q, request.query.limit)
    },
  )
}
