import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/event-access.js'
import { loadRoomFor } from './program-access.js'
import { Room, RoomCreate, RoomList, RoomParams, RoomPatch } from './program.schemas.js'
import { createRoom, deleteRoom, listRooms, patchRoom } from './rooms.service.js'

const tags = ['program']
const security = [{ bearer: [] }]

export const roomRoutes: FeatureRoutes = async (app, { db }) => {
  app.post(
    '/v1/events/:eventId/rooms',
    {
      schema: { tags, security, summary: 'Add a room of the program (organizers of the event)', params: EventParams, body: ref(RoomCreate), response: { 201: ref(Room), ...problemResponses } },
    },
    async (request, reply) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return reply.code(201).send(await createRoom(db, event.id, request.body))
    },
  )

  app.get(
    '/v1/events/:eventId/rooms',
    { schema: { tags, summary: "The event's rooms (public for published events)", params: EventParams, response: { 200: ref(RoomList), ...problemResponses } } },
    async (request) => listRooms(db, (await loadEvent(db, request.principal, request.params.eventId, 'read')).id),
  )

  app.patch(
    '/v1/rooms/:roomId',
    {
      schema: {
        tags,
        security,
        summary: "Change a room; a capacity below one of its sessions' seats is 409 room_in_use",
        params: RoomParams,
        body: ref(RoomPatch),
        response: { 200: ref(Room), ...problemResponses },
      },
    },
    async (request) => {
      const { room } = await loadRoomFor(request, db, request.params.roomId)
      return patchRoom(db, room.id, request.body)
    },
  )

  app.delete(
    '/v1/rooms/:roomId',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a room; one with draft or published sessions is 409 room_in_use (cancelled sessions keep its name)',
        params: RoomParams,
        response: { 204: { type: 'null', description: 'deleted' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { room } = await loadRoomFor(request, db, request.params.roomId)
      await deleteRoom(db, room.id)
      return reply.code(204).send(null)
    },
  )
}
