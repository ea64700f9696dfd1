import { and, asc, eq, inArray, ne, sql, type SQL } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { pgError } from '../../db/errors.js'
import { associations, programSessions, sessionHosts, sessionReservations, type EventRow } from '../../db/schema.js'
import { Problem, type FieldIssue } from '../../http/problem.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import { sessionSeats } from '../capacity/places.js'
import { loadVocabulary } from '../associations/vocabularies.service.js'
import { unknownKeys } from '../associations/vocabulary.js'
import { emailHolders, liveReservationIds, type Mail } from './program-emails.js'
import { promoteSession } from './reservations.service.js'
import { lockRoomForSession } from './rooms.service.js'
import { sessionView, sessionViews, type SessionRow } from './session-view.js'

type Kind = SessionRow['kind']
type Mode = SessionRow['reservation']

export interface SessionInput {
  title: string
  description?: string | null
  kind: Kind
  topics: string[]
  languages: string[]
  roomId: string
  startsAt: string
  endsAt: string
  seats?: number
  waitlist?: boolean
  reservation?: Mode
  hostAssociationIds?: string[]
}
export type SessionPatchInput = Partial<SessionInput>

/** What the schema cannot say: topics of the vocabulary, times inside the event's, hosts that exist. */
async function checkInput(tx: Queryable, event: EventRow, input: { topics?: string[]; startsAt: Date; endsAt: Date; hostAssociationIds?: string[] }) {
  const issues: FieldIssue[] = []
  if (input.topics?.length) {
    const vocabulary = await loadVocabulary(tx)
    for (const bad of unknownKeys(vocabulary.fieldsOfActivity, input.topics)) {
      issues.push({ path: `/body/topics/${input.topics.indexOf(bad)}`, message: `"${bad}" is not a field of activity (GET /v1/vocabularies)` })
    }
  }
  if (!(input.endsAt > input.startsAt)) issues.push({ path: '/body/endsAt', message: 'must be after startsAt' })
  if (input.startsAt < event.startsAt || input.startsAt >= event.endsAt) issues.push({ path: '/body/startsAt', message: "must be within the event's time" })
  if (input.endsAt > event.endsAt || input.endsAt <= event.startsAt) issues.push({ path: '/body/endsAt', message: "must be within the event's time" })
  if (input.hostAssociationIds?.length) {
    const found = await tx.select({ id: associations.id }).from(associations).where(inArray(associations.id, input.hostAssociationIds))
    const known = new Set(found.map((r) => r.id))
    input.hostAssociationIds.forEach((id, i) => {
      if (!known.has(id.toLowerCase())) issues.push({ path: `/body/hostAssociationIds/${i}`, message: 'is not an association' })
    })
  }
  if (issues.length) throw Problem.badRequest(issues.map((i) => `${i.path} ${i.message}`).join('; '), issues)
}

function roomBusy(err: unknown): never {
  const { code, constraint } = pgError(err)
  if (code === '23P01' && constraint === 'program_sessions_room_no_overlap') throw Problem.conflict('room_busy', 'Another session takes this room at an overlapping time.')
  if (code === '23P01') throw Problem.conflict('session_overlap', 'A holder of a reservation would hold two reservations at the same time.')
  throw err
}

async function setHosts(tx: Queryable, sessionId: string, ids: string[]) {
  await tx.delete(sessionHosts).where(eq(sessionHosts.sessionId, sessionId))
  if (ids.length) await tx.insert(sessionHosts).values(ids.map((associationId, position) => ({ sessionId, associationId: associationId.toLowerCase(), position })))
}

export async function createSession(db: Database, event: EventRow, body: SessionInput) {
  const startsAt = new Date(body.startsAt)
  const endsAt = new Date(body.endsAt)
  const row = await db
    .transaction(async (tx) => {
      await checkInput(tx, event, { ...body, startsAt, endsAt })
      const room = await lockRoomForSession(tx, event.id, body.roomId, '/body/roomId')
      const seats = body.seats ?? room.capacity
      if (seats > room.capacity) throw Problem.invalidField('/body/seats', `must be at most the room's capacity (${room.capacity})`)
      const [inserted] = await tx
        .insert(programSessions)
        .values({
          eventId: event.id,
          roomId: room.id,
          title: body.title.trim(),
          description: body.description ?? null,
          kind: body.kind,
          topics: body.topics,
          languages: body.languages,
          startsAt,
          endsAt,
          seats,
          waitlist: body.waitlist ?? false,
          reservation: body.reservation ?? 'required',
        })
        .returning()
      await setHosts(tx, inserted.id, body.hostAssociationIds ?? [])
      return inserted
    })
    .catch(roomBusy)
  return sessionView(db, row)
}

/**
 * A change by the organizers. Seats below what is reserved: 409 capacity_below_confirmed; a new time or room is
 * checked for overlaps (the exclusion constraints), moves the reservations' times along, and every holder of a
 * live reservation is emailed; more seats promote the waitlist.
 */
export async function patchSession(db: Database, config: Mail, event: EventRow, sessionId: string, patch: SessionPatchInput) {
  const row = await db
    .transaction(async (tx) => {
      const current = await sessionSeats.lock(tx, sessionId)
      if (!current) throw Problem.notFound('session')
      if (current.status === 'cancelled') throw Problem.conflict('invalid_transition', 'A cancelled session cannot be changed.')
      const startsAt = patch.startsAt ? new Date(patch.startsAt) : current.startsAt
      const endsAt = patch.endsAt ? new Date(patch.endsAt) : current.endsAt
      await checkInput(tx, event, { topics: patch.topics, hostAssociationIds: patch.hostAssociationIds, startsAt, endsAt })
      const room = await lockRoomForSession(tx, event.id, patch.roomId ?? current.roomId, '/body/roomId')
      const seats = patch.seats ?? (patch.roomId ? Math.min(current.seats, room.capacity) : current.seats)
      if (seats > room.capacity) throw Problem.invalidField('/body/seats', `must be at most the room's capacity (${room.capacity})`)
      if (seats < current.reservedPeople) {
        throw Problem.conflict('capacity_below_confirmed', `${current.reservedPeople} people hold reservations; seats cannot go below that.`)
      }
      if (seats < current.inside) throw Problem.conflict('capacity_below_confirmed', `${current.inside} people are inside; seats cannot go below that now.`)
      const reservation = patch.reservation ?? current.reservation
      if (reservation !== current.reservation && (await liveReservationIds(tx, current.id)).length > 0) {
        throw Problem.conflict('invalid_transition', 'The session has reservations; cancel them before changing how seats are taken.')
      }
      const [updated] = await tx
        .update(programSessions)
        .set({
          title: patch.title?.trim() ?? current.title,
          description: patch.description === undefined ? current.description : patch.description,
          kind: patch.kind ?? current.kind,
          topics: patch.topics ?? current.topics,
          languages: patch.languages ?? current.languages,
          roomId: room.id,
          startsAt,
          endsAt,
          seats,
          waitlist: patch.waitlist ?? current.waitlist,
          reservation,
          updatedAt: new Date(),
        })
        .where(eq(programSessions.id, current.id))
        .returning()
      if (patch.hostAssociationIds) await setHosts(tx, current.id, patch.hostAssociationIds)
      const moved = startsAt.getTime() !== current.startsAt.getTime() || endsAt.getTime() !== current.endsAt.getTime()
      if (moved) {
        await tx
          .update(sessionReservations)
          .set({ startsAt, endsAt, updatedAt: new Date() })
          .where(and(eq(sessionReservations.sessionId, current.id), ne(sessionReservations.status, 'cancelled')))
      }
      if (moved || room.id !== current.roomId) await emailHolders(tx, config, updated, await liveReservationIds(tx, current.id), 'changed')
      if (seats > current.seats) await promoteSession(tx, config, current.id)
      return (await tx.select().from(programSessions).where(eq(programSessions.id, current.id)))[0]
    })
    .catch(roomBusy)
  return sessionView(db, row)
}

/** draft → published; publishing a published session again changes nothing. */
export async function publishSession(db: Database, sessionId: string) {
  const row = await db.transaction(async (tx) => {
    const current = await sessionSeats.lock(tx, sessionId)
    if (!current) throw Problem.notFound('session')
    if (current.status === 'cancelled') throw Problem.conflict('invalid_transition', 'A cancelled session cannot be published.')
    if (current.status === 'published') return current
    const [updated] = await tx
      .update(programSessions)
      .set({ status: 'published', publishedAt: new Date(), updatedAt: new Date() })
      .where(eq(programSessions.id, sessionId))
      .returning()
    return updated
  })
  return sessionView(db, row)
}

/** Cancels the session: every live reservation is cancelled and its holder emailed. Cancelling again changes nothing. */
export async function cancelSession(db: Database, config: Mail, sessionId: string) {
  const row = await db.transaction(async (tx) => {
    const current = await sessionSeats.lock(tx, sessionId)
    if (!current) throw Problem.notFound('session')
    if (current.status === 'cancelled') return current
    const live = await tx
      .select({ id: sessionReservations.id })
      .from(sessionReservations)
      .where(and(eq(sessionReservations.sessionId, sessionId), ne(sessionReservations.status, 'cancelled')))
      .for('update')
    const [updated] = await tx
      .update(programSessions)
      .set({ status: 'cancelled', cancelledAt: new Date(), updatedAt: new Date() })
      .where(eq(programSessions.id, sessionId))
      .returning()
    if (live.length) {
      const ids = live.map((r) => r.id)
      await tx
        .update(sessionReservations)
        .set({ status: 'cancelled', cancelledAt: new Date(), updatedAt: new Date() })
        .where(inArray(sessionReservations.id, ids))
      await emailHolders(tx, config, updated, ids, 'cancelled')
    }
    return updated
  })
  return sessionView(db, row)
}

export interface SessionFilter {
  limit: number
  cursor?: string
  topic?: string
  language?: string
  kind?: Kind
  roomId?: string
  day?: string
}

/** The program by start time: the public sees published and cancelled sessions, staff also drafts. Keyset pages. */
export async function listSessions(db: Queryable, event: EventRow, staff: boolean, q: SessionFilter) {
  const where: SQL[] = [eq(programSessions.eventId, event.id)]
  if (!staff) where.push(ne(programSessions.status, 'draft'))
  if (q.topic) where.push(sql`${programSessions.topics} @> array[${q.topic}]::text[]`)
  if (q.language) where.push(sql`${programSessions.languages} @> array[${q.language}]::text[]`)
  if (q.kind) where.push(eq(programSessions.kind, q.kind))
  if (q.roomId) where.push(eq(programSessions.roomId, q.roomId.toLowerCase()))
  if (q.day) where.push(sql`(${programSessions.startsAt} at time zone ${event.timezone})::date = ${q.day}::date`)
  if (q.cursor) {
    const [startsAt, id] = decodeCursor(q.cursor, ['timestamp', 'uuid'])
    where.push(sql`(${programSessions.startsAt}, ${programSessions.id}) > (${startsAt}::timestamptz, ${id}::uuid)`)
  }
  const rows = await db
    .select()
    .from(programSessions)
    .where(and(...where))
    .orderBy(asc(programSessions.startsAt), asc(programSessions.id))
    .limit(q.limit + 1)
  const page = rows.slice(0, q.limit)
  const views = new Map((await sessionViews(db, page)).map((v) => [v.id, v]))
  return toPage(rows, q.limit, (r) => views.get(r.id)!, (r) => [r.startsAt.toISOString(), r.id])
}
