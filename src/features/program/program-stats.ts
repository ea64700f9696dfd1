import { and, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { programSessions } from '../../db/schema.js'

/** The program's numbers in the organizers' stats (`GET /v1/events/{eventId}/stats`): published sessions, their seats, the people reserved. */
export async function programStats(db: Queryable, eventId: string) {
  const [row] = await db
    .select({
      published: sql<number>`count(*)::int`,
      seats: sql<number>`coalesce(sum(${programSessions.seats}), 0)::int`,
      reservedPeople: sql<number>`coalesce(sum(${programSessions.reservedPeople}), 0)::int`,
    })
    .from(programSessions)
    .where(and(eq(programSessions.eventId, eventId), eq(programSessions.status, 'published')))
  return { sessions: { published: Number(row.published), seats: Number(row.seats), reservedPeople: Number(row.reservedPeople) } }
}
