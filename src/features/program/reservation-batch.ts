import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { rawRows, type Database, type Transaction } from '../../db/client.js'
import { pgError } from '../../db/errors.js'
import { GroupCommit, type Waiting } from '../../db/group-commit.js'
import { events, programSessions, registrations, rooms, sessionReservations } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { enqueueEmails } from '../../mail/outbox.js'
import { sessionSeats, takePlaces } from '../capacity/places.js'
import { reservationEmail, type Mail } from './program-emails.js'

/*
 * Group commit for reservations (the model: registrations/registration-create.ts). A session's seats are one
 * hot row; one transaction per reservation holds its lock for a commit each. Here the requests for one session
 * that arrive while its batches run share one transaction: the session row is locked once, first fit decides in
 * arrival order, and one round trip writes the counter, the reservations and the emails. The rules and the 409s
 * are those of one reservation at a time (see `decide`).
 */

export interface Reserved {
  sessionId: string
  status: 'reserved' | 'waitlisted'
  people: number
  waitlistPosition?: number
}

interface Pending extends Waiting {
  registrationId: string
  config: Mail
  resolve(reserved: Reserved): void
}

/** Largest batch: bounds one transaction and its array parameters. */
const MAX_BATCH = 200
/**
 * One batch per session at a time (registrations run two): a batch takes the session's lock in its first round
 * trip, so a second one would only wait for it holding a pooled connection, and a program has many sessions
 * sharing one pool. Measured in bench/program.bench.ts: 1 gave 620 and 986 req/s where 2 gave 551 twice.
 */
const IN_FLIGHT = 1

const batchers = new WeakMap<Database, GroupCommit<Pending>>()

/** Reserves in the session's next batch; resolves after the commit, or rejects with the request's 409. */
export function reserveInBatch(db: Database, config: Mail, registrationId: string, sessionId: string): Promise<Reserved> {
  let batcher = batchers.get(db)
  if (!batcher) {
    batcher = new GroupCommit((key, items) => runBatch(db, key, items), { maxBatch: MAX_BATCH, inFlight: IN_FLIGHT })
    batchers.set(db, batcher)
  }
  const queue = batcher
  return new Promise((resolve, reject) => queue.push(sessionId, { registrationId, config, resolve, reject }))
}

export const sessionFull = () => Problem.conflict('session_full', 'There are not enough seats left in this session for your party.')
const alreadyReserved = () => Problem.conflict('already_reserved', 'This registration already holds a reservation for this session.')
const sessionOverlap = () => Problem.conflict('session_overlap', 'This registration already holds a reservation for a session at the same time.')

/** already_reserved and session_overlap: what the unique index and the exclusion constraint answer. */
export function conflictProblem(err: unknown): Problem | undefined {
  const { code, constraint } = pgError(err)
  if (code === '23505' && constraint === 'session_reservations_live_key') return alreadyReserved()
  if (code === '23P01') return sessionOverlap()
  return undefined
}

async function runBatch(db: Database, sessionId: string, items: Pending[]): Promise<Pending[]> {
  // The same registration twice in one batch: the later goes in the next batch and sees the earlier one's
  // reservation (already_reserved), as if it had come a moment later.
  const seen = new Set<string>()
  const now: Pending[] = []
  const later: Pending[] = []
  for (const item of items) {
    if (seen.has(item.registrationId)) later.push(item)
    else (seen.add(item.registrationId), now.push(item))
  }
  try {
    settle(now, await db.transaction((tx) => reserveBatch(tx, sessionId, now)))
  } catch (err) {
    const problem = conflictProblem(err)
    if (!problem) throw err
    // A reservation of the same registration committed by another batch after our check (a race of two sessions
    // at the same time): only one of ours is wrong, so each goes alone, and only that one hears the 409.
    if (now.length === 1) now[0].reject(problem)
    else for (const item of now) await runBatch(db, sessionId, [item])
  }
  return later
}

function settle(items: Pending[], outcomes: (Reserved | Problem)[]): void {
  items.forEach((item, i) => {
    const outcome = outcomes[i]
    if (outcome instanceof Problem) item.reject(outcome)
    else item.resolve(outcome)
  })
}

/**
 * One transaction for a session's batch, two round trips: the first locks the registrations (FOR SHARE, the
 * lock order of reservations.service.ts: registrations, then the session) and the session, then reads, under
 * the session's lock, what the decision needs; the second writes the decision. Statements are pipelined.
 */
async function reserveBatch(tx: Transaction, sessionId: string, items: Pending[]): Promise<(Reserved | Problem)[]> {
  const ids = sql.param(items.map((i) => i.registrationId))
  const [people, session, taken, [waiting], [context]] = await Promise.all([
    rawRows<{ id: string; status: string; party_size: number; email: string; name: string; language: string }>(
      tx,
      sql`select id, status, party_size, email, name, language from registrations where id = any(${ids}::uuid[]) order by id for share`,
    ),
    sessionSeats.lock(tx, sessionId),
    // Live reservations that the unique index or the exclusion constraint would refuse, read under the lock.
    rawRows<{ registration_id: string; same: boolean }>(
      tx,
      sql`select registration_id, session_id = ${sessionId}::uuid as same from session_reservations
          where registration_id = any(${ids}::uuid[]) and status <> 'cancelled'
            and tstzrange(starts_at, ends_at, '[)') && (select tstzrange(starts_at, ends_at, '[)') from program_sessions where id = ${sessionId}::uuid)`,
    ),
    tx
      .select({ n: sql<number>`count(*)::int`.mapWith(Number) })
      .from(sessionReservations)
      .where(and(eq(sessionReservations.sessionId, sessionId), eq(sessionReservations.status, 'waitlisted'))),
    tx
      .select({ event: events, roomName: rooms.name })
      .from(programSessions)
      .innerJoin(events, eq(events.id, programSessions.eventId))
      .innerJoin(rooms, eq(rooms.id, programSessions.roomId))
      .where(eq(programSessions.id, sessionId)),
  ])
  if (!session) return items.map(() => Problem.notFound('session'))
  const byId = new Map(people.map((r) => [r.id, r]))
  const conflicts = new Map(taken.map((r) => [r.registration_id, r.same]))
  const outcomes = decide(items, session, byId, conflicts, waiting.n)

  const written = items.flatMap((item, i) => {
    const outcome = outcomes[i]
    return outcome instanceof Problem ? [] : [{ id: randomUUID(), registration: byId.get(item.registrationId)!, outcome, config: item.config }]
  })
  if (written.length === 0) return outcomes
  const column = <T>(pick: (w: (typeof written)[number]) => T) => sql.param(written.map(pick))
  const seats = written.reduce((n, w) => n + (w.outcome.status === 'reserved' ? w.outcome.people : 0), 0)
  const [placesTaken] = await Promise.all([
    seats === 0 || takePlaces(tx, sessionSeats, sessionId, seats),
    // The times come from the session row (locked): the exclusion constraint compares them. created_at one
    // microsecond apart keeps the batch's order for the waitlist.
    tx.execute(sql`insert into session_reservations (id, event_id, session_id, registration_id, status, people, starts_at, ends_at, created_at)
        select r.id, s.event_id, s.id, r.registration_id, r.status, r.people, s.starts_at, s.ends_at, clock_timestamp() + (r.ord - 1) * interval '1 microsecond'
        from unnest(${column((w) => w.id)}::uuid[], ${column((w) => w.registration.id)}::uuid[], ${column((w) => w.outcome.status)}::text[],
                    ${column((w) => w.outcome.people)}::int[]) with ordinality as r(id, registration_id, status, people, ord)
        cross join program_sessions s where s.id = ${sessionId}::uuid`),
    enqueueEmails(
      tx,
      written.map(({ id, registration: r, outcome, config }) =>
        reservationEmail(config, context.event, session, context.roomName, { reservationId: id, registrationId: r.id, email: r.email, name: r.name, language: r.language, people: outcome.people, waitlistPosition: outcome.waitlistPosition }, outcome.status),
      ),
    ),
  ])
  // Impossible while the session row is locked: if it ever happens, nothing of this batch is written.
  if (!placesTaken) throw new Error('the seat counter refused a batch decided under its lock')
  return outcomes
}

type Person = { status: string; party_size: number }

/**
 * The rules of one reservation at a time, applied in arrival order: a registration that is not confirmed is
 * refused; a party that fits in what is left is reserved (first fit), else waitlisted when the published
 * session has a waitlist, else session_full. One the constraints would refuse (already_reserved,
 * session_overlap) takes no seat, as its rolled-back transaction took none; session_full comes first, as before.
 */
function decide(items: Pending[], session: typeof programSessions.$inferSelect, byId: Map<string, Person>, conflicts: Map<string, boolean>, waiting: number) {
  const published = session.status === 'published'
  let left = session.seats - session.reservedPeople
  let waitlisted = 0
  return items.map((item): Reserved | Problem => {
    const person = byId.get(item.registrationId)
    if (!person || person.status !== 'confirmed') return Problem.conflict('registration_not_confirmed', 'Only a confirmed registration can reserve seats.')
    const people = person.party_size
    const fits = published && people <= left
    if (!fits && !(published && session.waitlist)) return sessionFull()
    if (conflicts.has(item.registrationId)) return conflicts.get(item.registrationId) ? alreadyReserved() : sessionOverlap()
    if (fits) {
      left -= people
      return { sessionId: session.id, status: 'reserved', people }
    }
    return { sessionId: session.id, status: 'waitlisted', people, waitlistPosition: waiting + ++waitlisted }
  })
}
