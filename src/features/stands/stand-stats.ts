import { count, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { standBookings, stands } from '../../db/schema.js'

/** The stand numbers of the organizers' stats (`GET /v1/events/{eventId}/stats`): stands, and bookings by status. */
export async function standStats(db: Queryable, eventId: string) {
  const [[standRow], statusRows] = await Promise.all([
    db
      .select({
        total: count(),
        booked: sql<number>`count(*) filter (where exists (select 1 from stand_bookings b where b.stand_id = "stands"."id" and b.status = 'approved'))::int`,
      })
      .from(stands)
      .where(eq(stands.eventId, eventId)),
    db.select({ status: standBookings.status, bookings: count() }).from(standBookings).where(eq(standBookings.eventId, eventId)).groupBy(standBookings.status),
  ])
  const by = (status: string) => Number(statusRows.find((r) => r.status === status)?.bookings ?? 0)
  return {
    stands: { total: Number(standRow.total), booked: Number(standRow.booked) },
    // The contract's five; cancelled bookings are in the list endpoint (?status=cancelled), not in these numbers.
    bookings: { requested: by('requested'), approved: by('approved'), waitlisted: by('waitlisted'), rejected: by('rejected'), withdrawn: by('withdrawn') },
  }
}
