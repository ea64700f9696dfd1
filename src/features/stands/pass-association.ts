import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

/**
 * The name of the association an exhibitor pass was issued to, through the pass's booking (`tickets.booking_id`);
 * null for a visitor ticket. A scalar subquery, so a door's one-statement scan can carry it without a join.
 */
export const passAssociationName = (bookingId: SQLWrapper): SQL<string | null> =>
  sql<string | null>`(select a.name from stand_bookings sb join associations a on a.id = sb.association_id where sb.id = ${bookingId})`
