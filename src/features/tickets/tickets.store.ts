import { randomUUID } from 'node:crypto'
import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import { tableRows, type Queryable } from '../../db/client.js'
import { tickets, type TicketRow } from '../../db/schema.js'
import { signTicketCode, type EventKey } from './ticket-codes.js'

// The one writer of `tickets` (test/boundaries/table-owners.test.ts keeps it so): visitor tickets and exhibitor
// passes are issued, changed, revoked and erased here, always in the caller's transaction. Check-in alone
// also writes a ticket's door state (inside, accepted_scans, …), in its single-statement scan.

/** A visitor ticket made before its transaction: id and signed code, so nothing is signed while a lock is held. */
export interface VisitorTicket {
  id: string
  eventId: string
  registrationId: string
  holderName: string
  admits: number
  code: string
}

/**
 * The visitor tickets of a registration batch in one insert, each column one array parameter (`unnest`): the
 * statement's text is the same for any batch size, so PostgreSQL and the driver prepare it once. Started at once
 * (like a query awaited in a microtask): the batch calls it after the registrations it references, pipelined.
 * A ticket whose registration the batch did not write (its email was taken) is left out.
 */
export function issueVisitorTickets(tx: Queryable, made: VisitorTicket[]): Promise<TicketRow[]> {
  const column = <K extends keyof VisitorTicket>(key: K) => sql.param(made.map((t) => t[key]))
  return tableRows(
    tx,
    tickets,
    sql`insert into tickets (id, event_id, kind, registration_id, holder_name, admits, code)
        select t.id, t.event_id, 'visitor', t.registration_id, t.holder_name, t.admits, t.code
        from unnest(${column('id')}::uuid[], ${column('eventId')}::uuid[], ${column('registrationId')}::uuid[], ${column('holderName')}::text[],
                    ${column('admits')}::int[], ${column('code')}::text[]) as t(id, event_id, registration_id, holder_name, admits, code)
        where exists (select from registrations r where r.id = t.registration_id)
        returning *`,
  )
}

/** One visitor ticket, signed here (about 50 µs); the QR image is rendered later, on request or in the email worker. */
export async function issueVisitorTicket(
  tx: Queryable,
  key: EventKey,
  registration: { id: string; eventId: string; name: string; partySize: number },
): Promise<TicketRow> {
  const id = randomUUID()
  const [ticket] = await tx
    .insert(tickets)
    .values({ id, eventId: registration.eventId, kind: 'visitor', registrationId: registration.id, holderName: registration.name, admits: registration.partySize, code: signTicketCode(id, key) })
    .returning()
  return ticket
}

/**
 * Tickets a registration batch wrote for people it then waitlisted (those it refused lose theirs with their
 * registration, on delete cascade). Returned unstarted: it starts when awaited, unlike issueVisitorTickets.
 */
export function withdrawUnplacedTickets(tx: Queryable, registrationIds: string[]) {
  return tx.delete(tickets).where(inArray(tickets.registrationId, registrationIds))
}

/** The ticket follows its registration's party size and name; its code (and the printed QR) stays the same. */
export async function matchTicketToRegistration(tx: Queryable, registrationId: string, holder: { admits: number; holderName: string }): Promise<void> {
  await tx.update(tickets).set({ admits: holder.admits, holderName: holder.holderName }).where(eq(tickets.registrationId, registrationId))
}

/** A cancelled registration's ticket: the door answers `revoked` from then on. */
export async function revokeRegistrationTicket(tx: Queryable, registrationId: string): Promise<void> {
  await tx.update(tickets).set({ revokedAt: new Date() }).where(eq(tickets.registrationId, registrationId))
}

/** The holder names of erased registrations become the placeholder; ticket and validity stay. */
export async function eraseTicketHolders(tx: Queryable, registrationIds: string[], placeholder: string): Promise<void> {
  await tx.update(tickets).set({ holderName: placeholder }).where(inArray(tickets.registrationId, registrationIds))
}

/** The retention job: the names on these events' exhibitor passes go; the passes stay (counts, scan history). */
export async function erasePassHolders(tx: Queryable, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return
  await tx
    .update(tickets)
    .set({ holderName: null })
    .where(and(inArray(tickets.eventId, eventIds), eq(tickets.kind, 'exhibitor'), isNotNull(tickets.holderName)))
}

/** Signing costs about 50 µs a pass; the QR images are rendered by the email worker and on request. */
export async function issueExhibitorPasses(tx: Queryable, key: EventKey, booking: { id: string; eventId: string; staffPasses: number }) {
  if (booking.staffPasses === 0) return []
  // One statement gives every pass the same created_at: ids in ascending order make "pass 1, 2, 3" in the email
  // the order in which GET …/passes lists them (created_at, id).
  const ids = Array.from({ length: booking.staffPasses }, () => randomUUID()).sort()
  const values = ids.map((id) => ({ id, eventId: booking.eventId, kind: 'exhibitor' as const, bookingId: booking.id, holderName: null, admits: 1, code: signTicketCode(id, key) }))
  await tx.insert(tickets).values(values)
  return values.map((v) => ({ ticketId: v.id, code: v.code }))
}

/** Every pass of a booking that ends (withdrawn, cancelled); passes already revoked keep their time. */
export async function revokeBookingPasses(tx: Queryable, bookingId: string): Promise<void> {
  await tx.update(tickets).set({ revokedAt: new Date() }).where(and(eq(tickets.bookingId, bookingId), isNull(tickets.revokedAt)))
}

/** Names the person wearing a pass, unless it was revoked meanwhile (then nothing changes: undefined). */
export async function renameLivePass(tx: Queryable, ticketId: string, holderName: string | null): Promise<TicketRow | undefined> {
  const [row] = await tx
    .update(tickets)
    .set({ holderName })
    .where(and(eq(tickets.id, ticketId), isNull(tickets.revokedAt)))
    .returning()
  return row
}

/** Revokes one ticket; one already revoked keeps its first time. */
export async function revokeTicket(tx: Queryable, ticket: Pick<TicketRow, 'id' | 'revokedAt'>): Promise<TicketRow> {
  const [row] = await tx
    .update(tickets)
    .set({ revokedAt: ticket.revokedAt ?? new Date() })
    .where(eq(tickets.id, ticket.id))
    .returning()
  return row
}
