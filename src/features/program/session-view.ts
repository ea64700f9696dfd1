import { asc, eq, inArray } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { associations, programSessions, rooms, sessionHosts, type ProgramSessionRow } from '../../db/schema.js'
import { publicAssociation } from '../associations/associations.service.js'

export type SessionRow = ProgramSessionRow

/** Seats still free: `required` sessions count reserved people, `open` ones the people inside now. */
export const seatsLeft = (row: SessionRow) => Math.max(0, row.seats - (row.reservation === 'open' ? row.inside : row.reservedPeople))

export async function findSession(db: Queryable, sessionId: string): Promise<SessionRow | undefined> {
  const [row] = await db.select().from(programSessions).where(eq(programSessions.id, sessionId))
  return row
}

/** Sessions as the API shows them, with their room (a deleted room keeps its name) and hosts, in the given order. */
export async function sessionViews(db: Queryable, rows: SessionRow[]) {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const roomRows = await db
    .select({ id: rooms.id, name: rooms.name, accessible: rooms.accessible })
    .from(rooms)
    .where(inArray(rooms.id, [...new Set(rows.map((r) => r.roomId))]))
  const hostRows = await db
    .select({ sessionId: sessionHosts.sessionId, association: associations })
    .from(sessionHosts)
    .innerJoin(associations, eq(associations.id, sessionHosts.associationId))
    .where(inArray(sessionHosts.sessionId, ids))
    .orderBy(asc(sessionHosts.position), asc(associations.name))
  const roomOf = new Map(roomRows.map((r) => [r.id, r]))
  return rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    title: row.title,
    description: row.description,
    kind: row.kind,
    topics: row.topics,
    languages: row.languages,
    room: roomOf.get(row.roomId)!,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    seats: row.seats,
    seatsLeft: seatsLeft(row),
    waitlist: row.waitlist,
    reservation: row.reservation,
    hosts: hostRows.filter((h) => h.sessionId === row.id).map((h) => publicAssociation(h.association)),
    status: row.status,
  }))
}

export async function sessionView(db: Queryable, row: SessionRow) {
  return (await sessionViews(db, [row]))[0]
}

