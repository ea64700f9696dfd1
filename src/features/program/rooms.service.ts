import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { programSessions, rooms } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'

export type RoomRow = typeof rooms.$inferSelect

export function toRoom(row: RoomRow) {
  return {
    id: row.id,
    eventId: row.eventId,
    name: row.name,
    capacity: row.capacity,
    accessible: row.accessible,
    notes: row.notes,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** A room that is not deleted. */
export async function findRoom(db: Queryable, roomId: string): Promise<RoomRow | undefined> {
  const [row] = await db.select().from(rooms).where(and(eq(rooms.id, roomId), isNull(rooms.deletedAt)))
  return row
}

/**
 * The room a session is placed in, locked FOR SHARE: a PATCH of its capacity or its deletion (FOR UPDATE) waits
 * for the session's transaction, and then sees its seats. 400 when it is no room of the event.
 */
export async function lockRoomForSession(tx: Queryable, eventId: string, roomId: string, path: string): Promise<RoomRow> {
  const [row] = await tx
    .select()
    .from(rooms)
    .where(and(eq(rooms.id, roomId), eq(rooms.eventId, eventId), isNull(rooms.deletedAt)))
    .for('share')
  if (!row) throw Problem.invalidField(path, 'is not a room of this event')
  return row
}

export async function listRooms(db: Queryable, eventId: string) {
  const rows = await db
    .select()
    .from(rooms)
    .where(and(eq(rooms.eventId, eventId), isNull(rooms.deletedAt)))
    .orderBy(asc(rooms.name), asc(rooms.id))
  return { items: rows.map(toRoom) }
}

export async function createRoom(db: Database, eventId: string, body: { name: string; capacity: number; accessible?: boolean; notes?: string }) {
  const [row] = await db
    .insert(rooms)
    .values({ eventId, name: body.name.trim(), capacity: body.capacity, accessible: body.accessible ?? false, notes: body.notes ?? null })
    .returning()
  return toRoom(row)
}

const roomInUse = (detail: string) => Problem.conflict('room_in_use', detail)

/** The room row locked against sessions being placed in it (they lock it FOR SHARE). */
async function lockRoom(tx: Queryable, roomId: string): Promise<RoomRow> {
  const [row] = await tx.select().from(rooms).where(and(eq(rooms.id, roomId), isNull(rooms.deletedAt))).for('update')
  if (!row) throw Problem.notFound('room')
  return row
}

/** Draft and published sessions of the room: how many, and the most seats one of them has. */
async function liveSessions(tx: Queryable, roomId: string) {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int`, maxSeats: sql<number>`coalesce(max(${programSessions.seats}), 0)::int` })
    .from(programSessions)
    .where(and(eq(programSessions.roomId, roomId), ne(programSessions.status, 'cancelled')))
  return { count: Number(row.count), maxSeats: Number(row.maxSeats) }
}

export async function patchRoom(db: Database, roomId: string, patch: { name?: string; capacity?: number; accessible?: boolean; notes?: string | null }) {
  return db.transaction(async (tx) => {
    const room = await lockRoom(tx, roomId)
    if (patch.capacity !== undefined && patch.capacity < room.capacity) {
      const { maxSeats } = await liveSessions(tx, roomId)
      if (patch.capacity < maxSeats) throw roomInUse(`A session in this room has ${maxSeats} seats; lower its seats first.`)
    }
    const [row] = await tx
      .update(rooms)
      .set({
        name: patch.name?.trim() ?? room.name,
        capacity: patch.capacity ?? room.capacity,
        accessible: patch.accessible ?? room.accessible,
        notes: patch.notes === undefined ? room.notes : patch.notes,
        updatedAt: new Date(),
      })
      .where(eq(rooms.id, roomId))
      .returning()
    return toRoom(row)
  })
}

/** Soft delete: cancelled sessions keep showing the room's name. A room with draft or published sessions is in use. */
export async function deleteRoom(db: Database, roomId: string) {
  await db.transaction(async (tx) => {
    await lockRoom(tx, roomId)
    const { count } = await liveSessions(tx, roomId)
    if (count > 0) throw roomInUse(`The room has ${count} draft or published session${count === 1 ? '' : 's'}; move or cancel them first.`)
    await tx.update(rooms).set({ deletedAt: new Date(), updatedAt: new Date() }).where(eq(rooms.id, roomId))
  })
}
