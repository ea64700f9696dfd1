import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { associations, coExhibitors, LIVE_BOOKING_STATUSES, standBookings } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { hashToken } from '../auth/tokens.js'
import { exhibitorProfileColumns } from './exhibitors.service.js'

export type CoExhibitorAnswer = 'confirmed' | 'declined'

/**
 * A co-exhibitor's answer to the invitation, with the emailed token as its only credential. The update is
 * conditional (still `invited`, booking still live), so two clicks at once, or a confirm racing a decline,
 * leave exactly one answer. Afterwards:
 * - the same answer again is a 200 with the state as it is (mail scanners and double clicks open links twice);
 * - the other answer is `409 already_responded`: changing one's mind goes through the booking's organizer;
 * - an invitation of a booking that was rejected, withdrawn or cancelled is `409 invalid_transition`;
 * - an unknown token is `404 not_found`, the same whatever the reason, so it tells nothing.
 */
export async function answerCoExhibitorInvitation(db: Queryable, token: string, answer: CoExhibitorAnswer) {
  const tokenHash = hashToken(token)
  const [updated] = await db
    .update(coExhibitors)
    .set({ status: answer, respondedAt: sql`now()` })
    .where(
      and(
        eq(coExhibitors.tokenHash, tokenHash),
        eq(coExhibitors.status, 'invited'),
        inArray(
          coExhibitors.bookingId,
          db.select({ id: standBookings.id }).from(standBookings).where(inArray(standBookings.status, [...LIVE_BOOKING_STATUSES])),
        ),
      ),
    )
    .returning({ bookingId: coExhibitors.bookingId })
  const [row] = await db
    .select({
      bookingId: coExhibitors.bookingId,
      status: coExhibitors.status,
      eventId: standBookings.eventId,
      bookingStatus: standBookings.status,
      association: exhibitorProfileColumns,
    })
    .from(coExhibitors)
    .innerJoin(standBookings, eq(standBookings.id, coExhibitors.bookingId))
    .innerJoin(associations, eq(associations.id, coExhibitors.associationId))
    .where(eq(coExhibitors.tokenHash, tokenHash))
    .limit(1)
  if (!row) throw Problem.notFound('invitation')
  if (!updated && row.status !== answer) {
    if (row.status !== 'invited') {
      throw Problem.conflict('already_responded', `This invitation was already answered: ${row.status}.`)
    }
    throw Problem.conflict('invalid_transition', `The stand booking is ${row.bookingStatus}; the invitation can no longer be answered.`)
  }
  return { bookingId: row.bookingId, eventId: row.eventId, association: row.association, status: row.status }
}
