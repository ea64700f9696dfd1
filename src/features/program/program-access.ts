import type { FastifyRequest } from 'fastify'
import type { Database } from '../../db/client.js'
import { Problem } from '../../http/problem.js'
import { isEventStaff, loadEvent } from '../events/event-access.js'
import { findRoom } from './rooms.service.js'
import { findSession } from './session-view.js'

/** A room, for the organizers of its event; nobody else learns it exists. */
export async function loadRoomFor(request: FastifyRequest, db: Database, roomId: string) {
  if (!request.principal) throw Problem.unauthenticated()
  const room = await findRoom(db, roomId)
  if (!room) throw Problem.notFound('room')
  const event = await loadEvent(db, request.principal, room.eventId, 'manage')
  return { room, event }
}

/** A session and its event: `manage` for organizers; `read` for anyone who may see the event, drafts for staff only. */
export async function loadSessionFor(request: FastifyRequest, db: Database, sessionId: string, access: 'read' | 'manage') {
  if (access === 'manage' && !request.principal) throw Problem.unauthenticated()
  const session = await findSession(db, sessionId)
  if (!session) throw Problem.notFound('session')
  const event = await loadEvent(db, request.principal, session.eventId, access)
  if (access === 'read' && session.status === 'draft' && !(await isEventStaff(db, request.principal, event.id))) throw Problem.notFound('session')
  return { session, event }
}
