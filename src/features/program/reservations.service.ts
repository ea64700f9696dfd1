import { and, asc, count, eq, inArray, lte, ne, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { programSessions, registrations, rooms, sessionReservations } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { oneLine, type EmailData } from '../../mail/templates.js'
import { freePlaces, promoteFirstFit, sessionSeats, takePlaces } from '../capacity/places.js'
import { emailHolders, type Mail } from './program-emails.js'
import { reserveInBatch, sessionFull, type Reserved } from './reservation-batch.js'
import { seatsLeft, sessionViews, type SessionRow } from './session-view.js'

/*
 * Reservations: a registration's party holds seats of a session. The seats are a CapacityHolder (capacity/places.ts):
 * one conditional update of program_sessions.reserved_people decides, and the CHECK beside it makes overselling
 * impossible. Lock order everywhere: the registration, then sessions (by id), then reservations: a reservation, a
 * cancellation, a party-size change and a session change queue up instead of deadlocking.
 */

export type ReservationRow = typeof sessionReservations.$inferSelect
type RegistrationRow = typeof registrations.$inferSelect
type ConfirmationReservation = NonNullable<EmailData['registration-confirmed']['reservations']>[number]

/** 1 for the first in line: waitlisted reservations of the session created before this one, plus one. */
export async function reservationWaitlistPosition(db: Queryable, reservationId: string): Promise<number> {
  const [row] = await db
    .select({ ahead: count() })
    .from(sessionReservations)
    .where(
      and(
        eq(sessionReservations.status, 'waitlisted'),
        sql`${sessionReservations.sessionId} = (select self.session_id from session_reservations self where self.id = ${reservationId})`,
        // Compared in SQL: created_at has microseconds, which a JS Date would cut.
        sql`(${sessionReservations.createdAt}, ${sessionReservations.id}) <= (select self.created_at, self.id from session_reservations self where self.id = ${reservationId})`,
      ),
    )
  return Number(row.ahead)
}

export async function reservationView(db: Queryable, row: ReservationRow) {
  const position = row.status === 'waitlisted' ? await reservationWaitlistPosition(db, row.id) : undefined
  return { sessionId: row.sessionId, status: row.status, people: row.people, ...(position ? { waitlistPosition: position } : {}) }
}

/**
 * A reservation request's registration and session, read together by one prepared statement: the hot route's
 * only read before its batch (undefined: no such registration, or no such session).
 */
export async function reservationFacts(db: Database, registrationId: string, sessionId: string) {
  const [row] = await prepared(db, 'reservation_facts', (d) =>
    d
      .select({ registration: registrations, session: programSessions })
      .from(registrations)
      .leftJoin(programSessions, eq(programSessions.id, sql.placeholder('sessionId')))
      .where(eq(registrations.id, sql.placeholder('registrationId')))
      .prepare('reservation_facts'),
  ).execute({ registrationId, sessionId })
  return { registration: row?.registration, session: row?.session ?? undefined }
}

/** The session a registration may reserve: of its event and not a draft (404), not cancelled (409 session_full). */
export function reservableSession(registration: RegistrationRow, session: SessionRow | undefined): SessionRow {
  if (!session || session.eventId !== registration.eventId || session.status === 'draft') throw Problem.notFound('session')
  if (session.status === 'cancelled') throw Problem.conflict('session_full', 'This session is cancelled; it takes no reservations.')
  if (session.reservation === 'open') throw Problem.conflict('reservation_not_needed', 'This session needs no reservation: first come at the door until the seats are taken.')
  return session
}

/**
 * A seat for the registration's party: reserved if it fits (first fit), else waitlisted (or 409 session_full).
 * Decided in the session's group commit (reservation-batch.ts). A session already full without a waitlist is
 * answered at once from the committed row just read: seats come back only by a cancellation, and a refusal
 * seen then is one the request could have had a moment earlier; nothing is written.
 */
export async function reserve(db: Database, config: Mail, registration: RegistrationRow, session: SessionRow): Promise<Reserved> {
  if (registration.status === 'confirmed' && !session.waitlist && registration.partySize > seatsLeft(session)) throw sessionFull()
  return reserveInBatch(db, config, registration.id, session.id)
}

/**
 * Fills a session's free seats from its waitlist, first come first served, earliest that fits (capacity/places.ts),
 * in the caller's transaction; the promoted are emailed.
 */
export async function promoteSession(tx: Queryable, config: Mail, sessionId: string): Promise<number> {
  return promoteFirstFit(tx, sessionSeats, sessionId, {
    waiting: (free) =>
      tx
        .select()
        .from(sessionReservations)
        .where(and(eq(sessionReservations.sessionId, sessionId), eq(sessionReservations.status, 'waitlisted'), lte(sessionReservations.people, free)))
        .orderBy(asc(sessionReservations.createdAt), asc(sessionReservations.id))
        .for('update'),
    size: (reservation) => reservation.people,
    async promote(placed, session) {
      const ids = placed.map((r) => r.id)
      await tx.update(sessionReservations).set({ status: 'reserved', updatedAt: new Date() }).where(inArray(sessionReservations.id, ids))
      await emailHolders(tx, config, session, ids, 'promoted')
    },
  })
}

/** Cancels one live reservation: its seats are freed and the waitlist promoted, in the caller's transaction. */
async function cancelLocked(tx: Queryable, config: Mail, reservation: ReservationRow): Promise<void> {
  await tx
    .update(sessionReservations)
    .set({ status: 'cancelled', cancelledAt: new Date(), updatedAt: new Date() })
    .where(eq(sessionReservations.id, reservation.id))
  if (reservation.status === 'reserved') {
    await freePlaces(tx, sessionSeats, reservation.sessionId, reservation.people)
    await promoteSession(tx, config, reservation.sessionId)
  }
}

/** DELETE of a reservation: 404 when the registration holds none for the session. */
export async function cancelReservation(db: Database, config: Mail, registrationId: string, sessionId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await sessionSeats.lock(tx, sessionId)
    const [live] = await tx
      .select()
      .from(sessionReservations)
      .where(and(eq(sessionReservations.sessionId, sessionId), eq(sessionReservations.registrationId, registrationId), ne(sessionReservations.status, 'cancelled')))
      .for('update')
    if (!live) throw Problem.notFound('reservation')
    await cancelLocked(tx, config, live)
  })
}

/** The registration's live reservations, each with its session (by the session's start). */
export async function registrationReservations(db: Queryable, registrationId: string) {
  const rows = await db
    .select({ reservation: sessionReservations, session: programSessions })
    .from(sessionReservations)
    .innerJoin(programSessions, eq(programSessions.id, sessionReservations.sessionId))
    .where(and(eq(sessionReservations.registrationId, registrationId), ne(sessionReservations.status, 'cancelled')))
    .orderBy(asc(programSessions.startsAt), asc(programSessions.id))
  const sessions = await sessionViews(db, rows.map((r) => r.session))
  const items = []
  for (const [i, r] of rows.entries()) items.push({ ...(await reservationView(db, r.reservation)), session: sessions[i] })
  return { items }
}

/** The registration's live reservations as its confirmation email lists them: only what the email shows. */
export async function confirmationReservations(db: Queryable, registrationId: string): Promise<ConfirmationReservation[]> {
  const { items } = await registrationReservations(db, registrationId)
  return items.map(({ session, waitlistPosition }) => ({
    sessionTitle: oneLine(session.title),
    startsAt: session.startsAt,
    endsAt: session.endsAt,
    roomName: oneLine(session.room.name),
    ...(waitlistPosition ? { waitlistPosition } : {}),
  }))
}

/** Live reservations of a registration, their sessions locked in id order (the lock order above). */
async function lockedReservationsOf(tx: Queryable, registrationId: string): Promise<ReservationRow[]> {
  const rows = await tx
    .select({ sessionId: sessionReservations.sessionId })
    .from(sessionReservations)
    .where(and(eq(sessionReservations.registrationId, registrationId), ne(sessionReservations.status, 'cancelled')))
  const sessionIds = [...new Set(rows.map((r) => r.sessionId))].sort()
  for (const id of sessionIds) await sessionSeats.lock(tx, id)
  if (sessionIds.length === 0) return []
  return tx
    .select()
    .from(sessionReservations)
    .where(and(eq(sessionReservations.registrationId, registrationId), ne(sessionReservations.status, 'cancelled')))
    .orderBy(asc(sessionReservations.sessionId))
    .for('update')
}

/**
 * A registration's new party size carried to its reservations, in the registration's transaction (which holds
 * its row locked): growing needs the seats in every session where it is reserved (409 capacity_exceeded, and the
 * caller's transaction changes nothing); shrinking frees seats and promotes; waitlisted ones just change size.
 */
export async function resizeReservations(tx: Queryable, config: Mail, registrationId: string, partySize: number): Promise<void> {
  const freed: string[] = []
  for (const reservation of await lockedReservationsOf(tx, registrationId)) {
    const delta = partySize - reservation.people
    if (delta === 0) continue
    if (reservation.status === 'reserved') {
      if (delta > 0 && !(await takePlaces(tx, sessionSeats, reservation.sessionId, delta))) {
        throw Problem.conflict('capacity_exceeded', 'A session where this registration holds seats has not enough seats left for a larger party.')
      }
      if (delta < 0) {
        await freePlaces(tx, sessionSeats, reservation.sessionId, -delta)
        freed.push(reservation.sessionId)
      }
    }
    await tx.update(sessionReservations).set({ people: partySize, updatedAt: new Date() }).where(eq(sessionReservations.id, reservation.id))
  }
  for (const sessionId of freed) await promoteSession(tx, config, sessionId)
}

/** A cancelled or erased registration: its reservations are cancelled and the waitlists promoted, in its transaction. */
export async function cancelRegistrationReservations(tx: Queryable, config: Mail, registrationId: string): Promise<void> {
  for (const reservation of await lockedReservationsOf(tx, registrationId)) await cancelLocked(tx, config, reservation)
}

/** Every reservation of a registration, cancelled ones too, for its personal data export. */
export async function reservationsOfRegistration(db: Queryable, registrationId: string) {
  const rows = await db
    .select({ reservation: sessionReservations, sessionTitle: programSessions.title })
    .from(sessionReservations)
    .innerJoin(programSessions, eq(programSessions.id, sessionReservations.sessionId))
    .where(eq(sessionReservations.registrationId, registrationId))
    .orderBy(asc(sessionReservations.createdAt), asc(sessionReservations.id))
  return rows.map(({ reservation: r, sessionTitle }) => ({
    sessionId: r.sessionId,
    sessionTitle,
    status: r.status,
    people: r.people,
    createdAt: r.createdAt.toISOString(),
    cancelledAt: r.cancelledAt?.toISOString() ?? null,
  }))
}

/** A registration's live reservations in short, for its manage data (GET /v1/registrations/{id}). */
export async function reservationSummary(db: Queryable, registrationId: string) {
  const rows = await db
    .select({ reservation: sessionReservations, session: programSessions, roomName: rooms.name })
    .from(sessionReservations)
    .innerJoin(programSessions, eq(programSessions.id, sessionReservations.sessionId))
    .innerJoin(rooms, eq(rooms.id, programSessions.roomId))
    .where(and(eq(sessionReservations.registrationId, registrationId), ne(sessionReservations.status, 'cancelled')))
    .orderBy(asc(programSessions.startsAt), asc(programSessions.id))
  return rows.map(({ reservation: r, session: s, roomName }) => ({
    sessionId: s.id,
    title: s.title,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    roomName,
    status: r.status as 'reserved' | 'waitlisted',
    people: r.people,
  }))
}
