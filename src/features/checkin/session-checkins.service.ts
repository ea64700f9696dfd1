import { and, eq, isNull, sql } from 'drizzle-orm'
import { rawRows, type Database, type Queryable, type Transaction } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { checkins, programSessions, sessionAttendance, sessionReservations, tickets, type ScanReason } from '../../db/schema.js'
import { passAssociationName } from '../stands/pass-association.js'
import { toAnswer as answer, type CheckinAnswer, type ScanInput } from './checkins.service.js'
import type { CodeVerifier, SignedCode } from './code-keys.js'
import type { Door } from './door-access.js'
import type { InvalidScanRecorder } from './invalid-scans.js'
import { judgeScan, type Verdict } from './judge.js'

/** What a room door needs of its session. */
export interface SessionAtDoor {
  id: string
  eventId: string
  roomId: string
  status: 'draft' | 'published' | 'cancelled'
  seats: number
  reservation: 'required' | 'open'
}

export async function findSessionAtDoor(db: Queryable, sessionId: string): Promise<SessionAtDoor | undefined> {
  const [row] = await db
    .select({
      id: programSessions.id,
      eventId: programSessions.eventId,
      roomId: programSessions.roomId,
      status: programSessions.status,
      seats: programSessions.seats,
      reservation: programSessions.reservation,
    })
    .from(programSessions)
    .where(eq(programSessions.id, sessionId))
  return row
}

export const INVALID: CheckinAnswer = { status: 'rejected', reason: 'invalid_code' }

const isNonceTaken = (err: unknown) =>
  isUniqueViolation(err, 'checkins_scanner_nonce_key') || isUniqueViolation(err, 'checkins_account_nonce_key')

const ticketColumns = {
  id: tickets.id,
  eventId: tickets.eventId,
  kind: tickets.kind,
  registrationId: tickets.registrationId,
  holderName: tickets.holderName,
  admits: tickets.admits,
  revokedAt: tickets.revokedAt,
  associationName: passAssociationName(tickets.bookingId),
}

interface Occupancy {
  inside: number
  capacity: number
}

async function readOccupancy(db: Queryable, sessionId: string): Promise<Occupancy> {
  const [row] = await db.select({ inside: programSessions.inside, capacity: programSessions.seats }).from(programSessions).where(eq(programSessions.id, sessionId))
  return row
}

const rejected = (reason: ScanReason): Verdict => ({ status: 'rejected', reason })

/**
 * One scan at a room door, in one transaction. The order of the checks is the event door's (judge.ts), then two of
 * the room's own for an entry the judge admits: `no_reservation` (a `required` session, a visitor without a
 * `reserved` reservation) and `room_full` (the seat counter refuses). Two locks decide concurrent scans:
 * - the ticket's attendance row of this session (created when first needed, then `FOR UPDATE`): of two doors
 *   scanning one ticket at once, the second reads the first's result and is judged on it;
 * - the session's counter: `inside + people <= seats` in the update's WHERE (and the table's check), so that of
 *   many parties racing for the last seats exactly those that fit get in, whatever their order.
 * Both are taken in that order by every scan, so two scans never wait on each other in a circle.
 */
async function judgeAtRoom(tx: Transaction, session: SessionAtDoor, door: Door, signed: SignedCode, input: ScanInput): Promise<CheckinAnswer> {
  const [ticket] = await tx.select(ticketColumns).from(tickets).where(eq(tickets.id, signed.ticketId))
  const scan = { eventId: session.eventId, direction: input.direction, signedFor: signed.eventId }
  let verdict: Verdict
  let people = 0
  let previous: { at: Date; gate: string | null } | null = null
  let occupancy: Occupancy | undefined

  if (!ticket || ticket.eventId !== session.eventId || signed.eventId !== session.eventId) {
    verdict = judgeScan(ticket ? { eventId: ticket.eventId, revoked: ticket.revokedAt !== null, inside: false } : null, scan)
  } else {
    await tx.insert(sessionAttendance).values({ sessionId: session.id, ticketId: ticket.id }).onConflictDoNothing()
    const [attendance] = await tx
      .select()
      .from(sessionAttendance)
      .where(and(eq(sessionAttendance.sessionId, session.id), eq(sessionAttendance.ticketId, ticket.id)))
      .for('update')
    previous = attendance.lastAcceptedAt ? { at: attendance.lastAcceptedAt, gate: attendance.lastAcceptedGate } : null
    verdict = judgeScan({ eventId: ticket.eventId, revoked: ticket.revokedAt !== null, inside: attendance.inside }, scan)
    const entering = input.direction === 'entry'
    if (verdict.status === 'ok' && entering && session.reservation === 'required' && ticket.kind === 'visitor') {
      const [reserved] = await tx
        .select({ id: sessionReservations.id })
        .from(sessionReservations)
        .where(
          and(
            eq(sessionReservations.sessionId, session.id),
            eq(sessionReservations.registrationId, ticket.registrationId!),
            eq(sessionReservations.status, 'reserved'),
          ),
        )
      if (!reserved) verdict = rejected('no_reservation')
    }
    if (verdict.status === 'ok') {
      people = entering ? ticket.admits : attendance.insidePeople
      const moved = entering
        ? await tx
            .update(programSessions)
            .set({ inside: sql`${programSessions.inside} + ${people}`, entries: sql`${programSessions.entries} + ${people}` })
            .where(and(eq(programSessions.id, session.id), sql`${programSessions.inside} + ${people} <= ${programSessions.seats}`))
            .returning({ inside: programSessions.inside, capacity: programSessions.seats })
        : await tx
            .update(programSessions)
            .set({ inside: sql`greatest(${programSessions.inside} - ${people}, 0)`, exits: sql`${programSessions.exits} + ${people}` })
            .where(eq(programSessions.id, session.id))
            .returning({ inside: programSessions.inside, capacity: programSessions.seats })
      occupancy = moved[0]
      if (!occupancy) {
        verdict = rejected('room_full')
        people = 0
      } else {
        await tx
          .update(sessionAttendance)
          .set({
            inside: entering,
            insidePeople: entering ? people : 0,
            acceptedScans: sql`${sessionAttendance.acceptedScans} + 1`,
            lastAcceptedAt: input.scannedAt,
            lastAcceptedGate: door.gate,
          })
          .where(and(eq(sessionAttendance.sessionId, session.id), eq(sessionAttendance.ticketId, ticket.id)))
      }
    }
  }

  await tx.insert(checkins).values({
    eventId: session.eventId,
    sessionId: session.id,
    ticketId: signed.ticketId,
    scannerId: door.scannerId,
    accountId: door.accountId,
    gate: door.gate,
    direction: input.direction,
    result: verdict.status,
    reason: verdict.status === 'rejected' ? verdict.reason : null,
    people,
    scannedAt: input.scannedAt,
    nonce: input.nonce ?? null,
    previousAt: previous?.at ?? null,
    previousGate: previous?.gate ?? null,
  })
  return answer(verdict, ticket, previous, occupancy ?? (await readOccupancy(tx, session.id)))
}

/** The first answer to a scan this device sent before with this nonce, if any: as recorded, with the occupancy now. */
async function replay(db: Queryable, session: SessionAtDoor, door: Door, nonce: string): Promise<CheckinAnswer | undefined> {
  const [row] = await db
    .select()
    .from(checkins)
    .where(
      door.scannerId
        ? and(eq(checkins.scannerId, door.scannerId), eq(checkins.nonce, nonce))
        : and(isNull(checkins.scannerId), eq(checkins.eventId, session.eventId), eq(checkins.accountId, door.accountId!), eq(checkins.nonce, nonce)),
    )
  if (!row) return undefined
  const [ticket] = await db.select(ticketColumns).from(tickets).where(eq(tickets.id, row.ticketId))
  const verdict: Verdict = row.result === 'ok' ? { status: 'ok' } : rejected(row.reason!)
  // A ticket of another event stays unnamed, as the first time.
  const shown = ticket && ticket.eventId === session.eventId ? ticket : undefined
  return answer(verdict, shown, row.previousAt ? { at: row.previousAt, gate: row.previousGate } : null, await readOccupancy(db, row.sessionId ?? session.id))
}

/**
 * Check-in at a room door of the program (one session). Codes are checked as at the event's door (code-keys.ts),
 * forged ones answered and counted without the database (invalid-scans.ts); the verdict is the judge's
 * (judge.ts) plus the room's two reasons. A nonce this device sent before answers as the first time.
 */
export function sessionCheckinService(db: Database, verifier: CodeVerifier, invalidScans: InvalidScanRecorder) {
  /** The signed code, or null (counted) when its format or signature is wrong. */
  async function signedCode(door: Door, input: ScanInput): Promise<SignedCode | null> {
    if (input.ticketId) return { ticketId: input.ticketId, eventId: door.eventId }
    const signed = await verifier.verify(input.code ?? '', door.eventId)
    if (!signed) invalidScans.record(door)
    return signed
  }

  async function scanGenuine(session: SessionAtDoor, door: Door, signed: SignedCode, input: ScanInput): Promise<CheckinAnswer> {
    // As at the event's door (decision 0041): no lookup first; the nonce's unique index refuses a repeat, which rolls
    // the whole scan back, and the first answer is read.
    try {
      return await db.transaction((tx) => judgeAtRoom(tx, session, door, signed, input))
    } catch (err) {
      // The same device sent this nonce before (a retry, or two at once): the first answer, nothing changed.
      if (input.nonce && isNonceTaken(err)) {
        const first = await replay(db, session, door, input.nonce)
        if (first) return first
      }
      throw err
    }
  }

  return {
    signedCode,

    async scan(session: SessionAtDoor, door: Door, signed: SignedCode | null, input: ScanInput): Promise<CheckinAnswer> {
      return signed ? scanGenuine(session, door, signed, input) : INVALID
    },

    /** Offline scans of one device: judged one after another in the order they were scanned, answered in the order sent. */
    async scanBatch(session: SessionAtDoor, door: Door, inputs: ScanInput[]): Promise<CheckinAnswer[]> {
      const signed = await Promise.all(inputs.map((input) => signedCode(door, input)))
      const order = inputs.map((_, i) => i).sort((a, b) => inputs[a].scannedAt.getTime() - inputs[b].scannedAt.getTime() || a - b)
      const answers: CheckinAnswer[] = []
      for (const i of order) answers[i] = signed[i] ? await scanGenuine(session, door, signed[i], inputs[i]) : INVALID
      // Every answer carries the occupancy after the whole batch, as at the event's door.
      const after = await readOccupancy(db, session.id)
      return answers.map((a) => (a.reason === 'invalid_code' ? a : { ...a, occupancy: after }))
    },
  }
}

export type SessionCheckinService = ReturnType<typeof sessionCheckinService>

/**
 * What a room door needs to judge offline, for the snapshot: the event's published and cancelled sessions, each with
 * the ids of the tickets holding a `reserved` reservation, and a digest of exactly that for the snapshot's ETag.
 */
export async function roomDoorSnapshot(tx: Queryable, eventId: string, withRows: boolean) {
  const [{ digest }] = await rawRows<{ digest: string }>(
    tx,
    sql`select md5(coalesce(string_agg(md5(s::text), '' order by s.id), '')) as digest from (
          select ps.id, ps.room_id, ps.title, ps.starts_at, ps.ends_at, ps.seats, ps.reservation, ps.status,
                 (select string_agg(t.id::text, ',' order by t.id) from session_reservations r join tickets t on t.registration_id = r.registration_id
                  where r.session_id = ps.id and r.status = 'reserved') as reserved
          from program_sessions ps where ps.event_id = ${eventId}::uuid and ps.status <> 'draft') s`,
  )
  if (!withRows) return { digest, sessions: [] }
  const rows = await rawRows<{
    id: string
    roomId: string
    title: string
    startsAt: string
    endsAt: string
    seats: number
    reservation: 'required' | 'open'
    status: 'published' | 'cancelled'
    reserved: string[] | null
  }>(
    tx,
    sql`select ps.id, ps.room_id as "roomId", ps.title, to_json(ps.starts_at)#>>'{}' as "startsAt", to_json(ps.ends_at)#>>'{}' as "endsAt", ps.seats, ps.reservation, ps.status,
               (select array_agg(t.id order by t.id) from session_reservations r join tickets t on t.registration_id = r.registration_id
                where r.session_id = ps.id and r.status = 'reserved') as reserved
        from program_sessions ps where ps.event_id = ${eventId}::uuid and ps.status <> 'draft' order by ps.starts_at, ps.id`,
  )
  const sessions = rows.map((r) => ({
    id: r.id,
    roomId: r.roomId,
    title: r.title,
    startsAt: new Date(r.startsAt).toISOString(),
    endsAt: new Date(r.endsAt).toISOString(),
    seats: r.seats,
    reservation: r.reservation,
    status: r.status,
    reservedTickets: r.reserved ?? [],
  }))
  return { digest, sessions }
}
