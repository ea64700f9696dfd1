import { asc, eq } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { tickets, type TicketRow } from '../../db/schema.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { isEventStaff } from '../events/event-access.js'
import { isAssociationMember } from '../associations/associations.service.js'
import { renameLivePass, revokeTicket } from '../tickets/tickets.store.js'
import { findBooking } from './bookings.service.js'

export function toPass(ticket: TicketRow) {
  return {
    id: ticket.id,
    code: ticket.code,
    holderName: ticket.holderName,
    revoked: ticket.revokedAt !== null,
    qrPngUrl: `/v1/tickets/${ticket.id}/qr.png`,
    qrSvgUrl: `/v1/tickets/${ticket.id}/qr.svg`,
  }
}

/** Every pass of the booking, revoked ones too (marked), in the order they were issued. */
export async function listPasses(db: Queryable, bookingId: string) {
  const rows = await db.select().from(tickets).where(eq(tickets.bookingId, bookingId)).orderBy(asc(tickets.createdAt), asc(tickets.id))
  return rows.map(toPass)
}

/**
 * May `principal` see and manage this exhibitor pass? Staff of its event, and members of its booking's
 * association. The one place that says so: the pass routes and the QR image routes (tickets.service.ts) ask it.
 */
export async function mayManagePass(db: Queryable, principal: Principal | null, ticket: Pick<TicketRow, 'eventId' | 'bookingId'>): Promise<boolean> {
  if (principal?.kind !== 'account' || ticket.bookingId === null) return false
  if (await isEventStaff(db, principal, ticket.eventId)) return true
  const booking = await findBooking(db, ticket.bookingId)
  return booking !== undefined && (await isAssociationMember(db, principal.account.id, booking.associationId))
}

export async function loadPassFor(db: Queryable, principal: Principal | null, ticketId: string): Promise<TicketRow> {
  if (!principal) throw Problem.unauthenticated()
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, ticketId))
  if (ticket && ticket.kind === 'exhibitor' && (await mayManagePass(db, principal, ticket))) return ticket
  throw Problem.notFound('pass')
}

/** Renaming a pass to the staff member who will wear it; the code (and the printed QR) stays the same. */
export async function renamePass(db: Queryable, ticket: TicketRow, holderName: string | null) {
  if (ticket.revokedAt) throw Problem.conflict('pass_revoked', 'This pass is revoked.')
  const row = await renameLivePass(db, ticket.id, holderName === null ? null : holderName.trim())
  if (!row) throw Problem.conflict('pass_revoked', 'This pass is revoked.')
  return toPass(row)
}

/** Revoking one pass (a lost badge): the door answers `revoked` from then on. Revoking twice is not an error. */
export async function revokePass(db: Queryable, ticket: TicketRow) {
  return toPass(await revokeTicket(db, ticket))
}
