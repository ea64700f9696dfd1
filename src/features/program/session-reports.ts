import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { registrations, sessionAttendance, sessionReservations, tickets, type ReservationStatus } from '../../db/schema.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import { CSV_BOM, csvRecord } from '../registrations/csv.js'
import type { SessionRow } from './session-view.js'

// created_at is PostgreSQL's now(), to the microsecond: the cursor keeps them (see attendee-list.service.ts).
const createdAtMicros = sql<string>`to_char(${sessionReservations.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
const position = sql<number | null>`case when ${sessionReservations.status} = 'waitlisted' then (
  select count(*)::int from session_reservations w
  where w.session_id = ${sessionReservations.sessionId} and w.status = 'waitlisted'
    and (w.created_at, w.id) <= (${sessionReservations.createdAt}, ${sessionReservations.id})) end`

function selectReservations(db: Queryable, sessionId: string, status: ReservationStatus | undefined, after: string[] | undefined, limit?: number) {
  const query = db
    .select({ reservation: sessionReservations, name: registrations.name, email: registrations.email, position, cursorAt: createdAtMicros })
    .from(sessionReservations)
    .innerJoin(registrations, eq(registrations.id, sessionReservations.registrationId))
    .where(
      and(
        eq(sessionReservations.sessionId, sessionId),
        status ? eq(sessionReservations.status, status) : undefined,
        after ? sql`(${sessionReservations.createdAt}, ${sessionReservations.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(sessionReservations.createdAt), asc(sessionReservations.id))
  return limit === undefined ? query : query.limit(limit)
}

type Row = Awaited<ReturnType<typeof selectReservations>>[number]

function toItem(row: Row) {
  const r = row.reservation
  return {
    id: r.id,
    registrationId: r.registrationId,
    name: row.name,
    email: row.email,
    status: r.status,
    people: r.people,
    ...(row.position ? { waitlistPosition: Number(row.position) } : {}),
    createdAt: r.createdAt.toISOString(),
    cancelledAt: r.cancelledAt?.toISOString() ?? null,
  }
}

/** The organizer's list of a session's reservations, first come first, keyset-paged. */
export async function sessionReservationList(db: Queryable, sessionId: string, query: { limit: number; cursor?: string; status?: ReservationStatus }) {
  const after = query.cursor ? decodeCursor(query.cursor, ['timestampMicros', 'uuid']) : undefined
  const rows = await selectReservations(db, sessionId, query.status, after, query.limit + 1)
  return toPage(rows, query.limit, toItem, (row) => [row.cursorAt, row.reservation.id])
}

export const RESERVATION_CSV_COLUMNS = ['id', 'registrationId', 'status', 'name', 'email', 'people', 'waitlistPosition', 'createdAt', 'cancelledAt']

/** Every matching reservation as CSV (a session's list is bounded by its seats and waitlist). */
export async function sessionReservationsCsv(db: Queryable, sessionId: string, status?: ReservationStatus): Promise<string> {
  const rows = (await selectReservations(db, sessionId, status, undefined)).map(toItem)
  return (
    CSV_BOM +
    csvRecord(RESERVATION_CSV_COLUMNS) +
    rows.map((r) => csvRecord([r.id, r.registrationId, r.status, r.name, r.email, r.people, r.waitlistPosition ?? null, r.createdAt, r.cancelledAt])).join('')
  )
}

/** Seats, reservations and the room door (session_attendance, written by the room door's scans). */
export async function sessionStats(db: Queryable, session: SessionRow) {
  const figures = await db
    .select({ status: sessionReservations.status, reservations: sql<number>`count(*)::int`, people: sql<number>`coalesce(sum(${sessionReservations.people}), 0)::int` })
    .from(sessionReservations)
    .where(eq(sessionReservations.sessionId, session.id))
    .groupBy(sessionReservations.status)
  const of = (status: ReservationStatus) => {
    const row = figures.find((f) => f.status === status)
    return { reservations: Number(row?.reservations ?? 0), people: Number(row?.people ?? 0) }
  }
  const [admitted] = await db
    .select({ people: sql<number>`coalesce(sum(${tickets.admits}), 0)::int` })
    .from(sessionAttendance)
    .innerJoin(tickets, eq(tickets.id, sessionAttendance.ticketId))
    .where(and(eq(sessionAttendance.sessionId, session.id), gt(sessionAttendance.acceptedScans, 0)))
  return { seats: session.seats, reserved: of('reserved'), waitlisted: of('waitlisted'), checkedIn: { people: Number(admitted.people) }, inside: session.inside }
}
