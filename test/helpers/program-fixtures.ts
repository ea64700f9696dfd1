import { eq, sql } from 'drizzle-orm'
import type { Database } from '../../src/db/client.js'
import { programSessions, rooms, sessionReservations, type ReservationStatus } from '../../src/db/schema.js'

// Rooms, sessions and reservations for the room-door tests, written as rows through the test's database handle.
// The program's routes (rooms, sessions, reservations) come from another branch: after the merge each function
// here becomes a request to its route (POST /v1/events/{id}/rooms, …/sessions + /publish,
// POST /v1/registrations/{id}/sessions/{sessionId}); the callers keep their arguments and results.

export interface ProgramFixtures {
  room(eventId: string, body?: { name?: string; capacity?: number }): Promise<{ id: string }>
  /** a published session running now (from an hour ago to an hour from now) unless times or status are given */
  session(
    eventId: string,
    roomId: string,
    body?: { seats?: number; reservation?: 'required' | 'open'; status?: 'draft' | 'published' | 'cancelled'; startsAt?: Date; endsAt?: Date },
  ): Promise<{ id: string; seats: number }>
  /** a reservation of the registration's party in the session, `reserved` unless said otherwise */
  reserve(sessionId: string, registration: { id: string; partySize: number }, status?: ReservationStatus): Promise<void>
}

const HOUR = 3600_000

export function programFixtures(db: Database): ProgramFixtures {
  let n = 0
  return {
    async room(eventId, { name = `Room ${++n}`, capacity = 100 } = {}) {
      const [row] = await db.insert(rooms).values({ eventId, name, capacity }).returning({ id: rooms.id })
      return row
    },
    async session(eventId, roomId, { seats = 10, reservation = 'required', status = 'published', startsAt, endsAt } = {}) {
      const starts = startsAt ?? new Date(Date.now() - HOUR)
      const [row] = await db
        .insert(programSessions)
        .values({
          eventId,
          roomId,
          title: `Forum ${++n}`,
          kind: 'forum',
          topics: [],
          languages: ['de'],
          startsAt: starts,
          endsAt: endsAt ?? new Date(starts.getTime() + 2 * HOUR),
          seats,
          reservation,
          status,
          publishedAt: status === 'draft' ? null : new Date(),
          cancelledAt: status === 'cancelled' ? new Date() : null,
        })
        .returning({ id: programSessions.id, seats: programSessions.seats, eventId: programSessions.eventId, startsAt: programSessions.startsAt, endsAt: programSessions.endsAt })
      return row
    },
    async reserve(sessionId, registration, status = 'reserved') {
      const [session] = await db
        .update(programSessions)
        .set({ reservedPeople: sql`${programSessions.reservedPeople} + ${status === 'reserved' ? registration.partySize : 0}` })
        .where(eq(programSessions.id, sessionId))
        .returning()
      await db.insert(sessionReservations).values({
        eventId: session.eventId,
        sessionId,
        registrationId: registration.id,
        status,
        people: registration.partySize,
        startsAt: session.startsAt,
        endsAt: session.endsAt,
        cancelledAt: status === 'cancelled' ? new Date() : null,
      })
    },
  }
}
